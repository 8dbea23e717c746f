// Package activities holds Tollgate's Temporal activities: thin adapters from the workflows to
// the store, the deployers and the network. All I/O of a release happens here.
package activities

import (
	"log/slog"
	"net/http"

	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/store"
)

// Error types the workflows switch on; they are Temporal application error types.
const (
	ErrInvalidSpec  = "InvalidSpec"
	ErrStepFailed   = "StepFailed"
	ErrSmokeFailed  = "SmokeFailed"
	ErrStepRefused  = "StepRefused"
	ErrStoreFailure = "StoreFailure"
)

// Activities carries the injected dependencies every activity uses. Workflows call its methods
// through a nil pointer; tests inject fakes through the same fields.
type Activities struct {
	Store    store.Store
	Deployer deploy.Deployer
	// HTTP is the client smoke checks use; its timeout is set per check.
	HTTP   *http.Client
	Logger *slog.Logger
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
