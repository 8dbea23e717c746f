package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExecRole is the role a person needs to grant a freeze exception.
const ExecRole = "exec"

// MaxExceptionLength bounds how long an exception may last: an exception is for one change,
// not a standing bypass (the Harness failure mode of admins silently bypassing every freeze).
const MaxExceptionLength = 7 * 24 * time.Hour

// Grant checks an exception before it is recorded: the granter holds the exec role (roles as the
// directory resolves them), the freeze exists, the justification is written and the expiry lies
// in (now, now+MaxExceptionLength]. The error is the refusal the caller sees.
func (c *Calendar) Grant(ex Exception, granterRoles []string, now time.Time) error {
	switch {
	case !slices.Contains(granterRoles, ExecRole):
		return fmt.Errorf("%s cannot grant an exception to freeze %q: only a person with the %q role can", ex.GrantedBy, ex.Freeze, ExecRole)
	case !slices.ContainsFunc(c.Freezes, func(f Freeze) bool { return f.ID == ex.Freeze }):
		return fmt.Errorf("exception: no freeze %q in the calendar", ex.Freeze)
	case strings.TrimSpace(ex.Justification) == "":
		return fmt.Errorf("exception to freeze %q: a justification is required", ex.Freeze)
	case !ex.Expires.After(now):
		return fmt.Errorf("exception to freeze %q: expiry %s is not in the future", ex.Freeze, ex.Expires.UTC().Format(time.RFC3339))
	case ex.Expires.Sub(now) > MaxExceptionLength:
		return fmt.Errorf("exception to freeze %q: expiry %s is more than %s away", ex.Freeze, ex.Expires.UTC().Format(time.RFC3339), MaxExceptionLength)
	}
	return nil
}
