package integrity

import (
	"slices"

	"fmt"

	"github.com/Masterminds/semver/v3"
)

// parseVersion reads a semantic version ("1.2.3", "v1.2", "2.0.0-rc.1"). Anything else is an
// error: comparing versions nobody can order would be a guess, and guesses fail closed.
func parseVersion(s string) (*semver.Version, error) {
	v, err := semver.NewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("version %q is not a semantic version", clip(s))
	}
	return v, nil
}

// CompareVersions orders two semantic versions: -1, 0 or 1.
func CompareVersions(a, b string) (int, error) {
	va, err := parseVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseVersion(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

func sortStrings(s []string) { slices.Sort(s) }
