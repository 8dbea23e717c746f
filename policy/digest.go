package policy

import (
	"slices"
	"strings"
)

// NormalizeDigest writes a SHA-256 as "sha256:<lower hex>", accepting bare hex.
func NormalizeDigest(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" {
		return ""
	}
	if !strings.HasPrefix(d, "sha256:") {
		d = "sha256:" + d
	}
	return d
}

// shortDigest abbreviates a digest for messages.
func shortDigest(d string) string {
	if d == "" {
		return "(none)"
	}
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

func joinReasons(r []string) string { return strings.Join(r, "; ") }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
