package release

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"ledger", "ledger", 0},
		{"ledgr", "ledger", 1},
		{"lesger", "ledger", 1},
		{"ledegr", "ledger", 1}, // transposition
		{"rolback", "rollback", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"prod-ue", "prod-eu", 1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, distance(tt.a, tt.b), "%q vs %q", tt.a, tt.b)
	}
}

func TestSuggest(t *testing.T) {
	services := []string{"ledger", "payments-api", "ui", "db"}
	tests := []struct {
		name string
		want string
	}{
		{"ledgr", "ledger"},
		{"Ledger", "ledger"},
		{"payments", "payments-api"}, // prefix
		{"payments-apis", "payments-api"},
		{"ux", "ui"},
		{"xy", ""}, // two edits on a two-letter name is no evidence
		{"zzzzzz", ""},
		{"ledger", ""}, // an exact name is never its own suggestion
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, suggest(tt.name, services), tt.name)
	}
	require.Equal(t, ` (did you mean "ledger"?)`, didYouMean("ledgr", services))
	require.Empty(t, didYouMean("zzz", services))
}
