package release

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEnvironmentIsProduction(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		env  Environment
		want bool
	}{
		{Environment{Name: "production"}, true},
		{Environment{Name: "prod-eu"}, true},
		{Environment{Name: "Prod"}, true},
		{Environment{Name: "staging"}, false},
		{Environment{Name: "lab", Production: &yes}, true},
		{Environment{Name: "prod-mirror", Production: &no}, false},
	} {
		assert.Equal(t, tc.want, tc.env.IsProduction(), tc.env.Name)
	}
}
