package release

import (
	"slices"
	"strings"
	"unicode"
)

// maxRefLen bounds a base or head: a tag, a branch or a commit SHA is far shorter, and refs
// travel in URLs, workflow history and the status.
const maxRefLen = 255

// source checks the compare range and the required checks. A range that cannot be a git range
// is refused here rather than by GitHub at the risk phase, after readiness already ran.
func (v *validator) source() {
	s := v.spec.Source
	if s == nil {
		return
	}
	baseOK := v.ref("source.base", s.Base, "the previous release's tag or commit, e.g. v1.4.0")
	headOK := v.ref("source.head", s.Head, "this release's commit or tag; GitHub deployments point at it")
	if baseOK && headOK && s.Base == s.Head {
		v.add("source.head", "head %q is also base: the compare range is empty", clip(s.Head))
	}
	c := s.Checks
	if c.Owner != "" && strings.TrimSpace(c.Owner) == "" {
		v.add("source.checks.owner", "blank owner: name the team or person who fixes or waives failing checks")
	}
	if len(c.Required) > 0 && c.Owner == "" {
		v.add("source.checks.owner", "checks.required needs checks.owner: the owner fixes or waives the criterion")
	}
	var seen []string
	for i, name := range c.Required {
		p := indexPath("source.checks.required", i)
		switch {
		case strings.TrimSpace(name) == "":
			v.add(p, "required: the name of a check run or commit status context, e.g. build")
		case slices.Contains(seen, name):
			v.add(p, "duplicate check %q", clip(name))
		default:
			seen = append(seen, name)
		}
	}
}

// ref checks a base or head and reports whether it is usable.
func (v *validator) ref(path, value, what string) bool {
	if !v.required(path, value, what) {
		return false
	}
	switch {
	case len(value) > maxRefLen:
		v.add(path, "ref is %d characters, over the %d limit", len(value), maxRefLen)
	case strings.IndexFunc(value, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		v.add(path, "invalid ref %q: no spaces or control characters", clip(value))
	case strings.Contains(value, ".."):
		v.add(path, "invalid ref %q: give one ref, not a range (base and head are separate fields)", clip(value))
	default:
		return true
	}
	return false
}
