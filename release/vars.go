package release

import (
	"fmt"
	"os"
	"regexp"
	"slices"
)

// Builtin variables Tollgate sets for every runbook command. Spec vars may not shadow them: a
// runbook must be able to trust that SERVICE is the service being deployed.
const (
	VarReleaseID      = "RELEASE_ID"
	VarService        = "SERVICE"
	VarVersion        = "VERSION"
	VarEnvironment    = "ENVIRONMENT"
	VarRegion         = "REGION"
	VarStep           = "STEP"
	VarIdempotencyKey = "IDEMPOTENCY_KEY"
)

var builtinVars = []string{VarReleaseID, VarService, VarVersion, VarEnvironment, VarRegion, VarStep, VarIdempotencyKey}

// varNameRE is the shape of a user var: what a POSIX shell accepts as an exported name, upper case
// so vars stand out in runbooks and cannot collide with lower-case shell locals.
var varNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// IsBuiltinVar reports whether name is set by Tollgate itself.
func IsBuiltinVar(name string) bool { return slices.Contains(builtinVars, name) }

// StepVars returns the variables of one service in one environment: the builtins RELEASE_ID,
// SERVICE, VERSION, ENVIRONMENT and REGION, then the environment's vars, then the service's vars,
// a later source overriding an earlier one (the service knows best about itself). STEP and
// IDEMPOTENCY_KEY are per step and added by the runner.
func StepVars(releaseID string, svc Service, env Environment) map[string]string {
	vars := make(map[string]string, 5+len(env.Vars)+len(svc.Vars))
	for k, v := range env.Vars {
		vars[k] = v
	}
	for k, v := range svc.Vars {
		vars[k] = v
	}
	// Builtins last: validation forbids shadowing, and this keeps them authoritative regardless.
	vars[VarReleaseID] = releaseID
	vars[VarService] = svc.Name
	vars[VarVersion] = svc.Version
	vars[VarEnvironment] = env.Name
	vars[VarRegion] = env.Region
	return vars
}

// UnknownVarsError is returned by Expand when text references variables that are not set.
type UnknownVarsError struct {
	Names []string // in order of first reference, without duplicates
}

// Error names every unknown variable.
func (e *UnknownVarsError) Error() string {
	if len(e.Names) == 1 {
		return fmt.Sprintf("unknown variable %q", e.Names[0])
	}
	return "unknown variables " + quoteList(e.Names)
}

// Expand replaces ${NAME} and $NAME in text with os.Expand semantics. When a variable is not in
// vars it returns the text expanded with those variables empty and an *UnknownVarsError naming
// every one of them, so a caller can both report and display.
func Expand(text string, vars map[string]string) (string, error) {
	var unknown []string
	out := os.Expand(text, func(name string) string {
		v, ok := vars[name]
		if !ok && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
		return v
	})
	if len(unknown) > 0 {
		return out, &UnknownVarsError{Names: unknown}
	}
	return out, nil
}
