package retry

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromStatus(t *testing.T) {
	for code, want := range map[int]Class{
		0: Transient, 500: Transient, 502: Transient, 503: Transient, 408: Transient,
		429: RateLimited,
		400: Permanent, 401: Permanent, 403: Permanent, 404: Permanent, 409: Permanent, 422: Permanent,
	} {
		assert.Equal(t, want, FromStatus(code), "HTTP %d", code)
	}
}
