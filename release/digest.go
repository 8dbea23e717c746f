package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Digest returns the hex SHA-256 of the spec's canonical JSON after Normalize, so two files that
// differ only in layout, comments, key order or spelled-out defaults have the same digest. It
// does not modify s.
func (s *Spec) Digest() string {
	// A JSON round trip is a deep copy that Normalize can change without touching s. encoding/json
	// writes struct fields in declaration order and map keys sorted, which makes it canonical.
	// The spec holds only plain data, so these calls cannot fail on a real spec; if one ever did,
	// hashing what was encoded still gives a stable answer rather than a panic.
	raw, _ := json.Marshal(s)
	var c Spec
	if err := json.Unmarshal(raw, &c); err == nil {
		c.Normalize()
		if canonical, err := json.Marshal(&c); err == nil {
			raw = canonical
		}
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
