package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestStart(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.DSN)
	require.NoError(t, err)
	defer c.Close(ctx)
	var v int
	require.NoError(t, c.QueryRow(ctx, "SELECT 40 + 2").Scan(&v))
	require.Equal(t, 42, v)
}
