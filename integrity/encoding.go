package integrity

import (
	"bytes"
	"encoding/base64"
)

// decodeSig accepts a signature as raw bytes or as (standard or URL) base64 text, the two forms
// signing tools write. Raw ed25519 and ECDSA signatures are never valid base64 text of the
// right length by accident often enough to matter, and a wrong guess only fails verification.
func decodeSig(b []byte) ([]byte, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if out, err := enc.DecodeString(string(t)); err == nil && len(out) > 0 {
			return out, true
		}
	}
	return b, true
}
