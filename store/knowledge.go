package store

import (
	"context"
	"time"
)

// Kinds of knowledge-base entries.
const (
	// KnowledgeReview is a release's 24-hour review report, filed when the review timer fires.
	KnowledgeReview = "review"
	// KnowledgeIssue is a known issue with its workaround, shown in support handoffs until
	// resolved.
	KnowledgeIssue = "known-issue"
	// KnowledgeHandoff is the support handoff package of a release (HTML holds the rendered
	// architecture diagram as SVG when Graphviz was available).
	KnowledgeHandoff = "handoff"
	// KnowledgeAPI is a service version's OpenAPI document: Service and Title (the version)
	// identify it, Body holds it. Attaching the same service version again keeps the first.
	KnowledgeAPI = "openapi"
)

// KnowledgeEntry is one entry of the knowledge base: a review report or a known issue, linked
// to a release and/or a service.
type KnowledgeEntry struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	ReleaseID  string    `json:"releaseId,omitempty"`
	Service    string    `json:"service,omitempty"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	HTML       string    `json:"html,omitempty"`
	Workaround string    `json:"workaround,omitempty"`
	CreatedBy  string    `json:"createdBy"`
	CreatedAt  time.Time `json:"createdAt"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
	Resolution string    `json:"resolution,omitempty"`
}

// Resolved reports whether a known issue was resolved.
func (e KnowledgeEntry) Resolved() bool { return !e.ResolvedAt.IsZero() }

// KnowledgeFilter selects entries; empty fields match everything.
type KnowledgeFilter struct {
	Kind      string
	ReleaseID string
	Service   string
	// Open keeps only unresolved entries.
	Open bool
}

// Knowledge is the knowledge base. SQLite implements it; it is separate from Store so that
// stores without it still satisfy Store.
type Knowledge interface {
	// AddKnowledge stores an entry and returns its ID. A review or handoff for a release that
	// already has one returns the existing ID (the filing activity may be retried).
	AddKnowledge(ctx context.Context, e KnowledgeEntry) (int64, error)
	ListKnowledge(ctx context.Context, f KnowledgeFilter) ([]KnowledgeEntry, error)
	// ResolveKnowledge marks an entry resolved; ErrNotFound when there is no such entry.
	ResolveKnowledge(ctx context.Context, id int64, resolution string, at time.Time) error
}

// StepLister lists a release's completed runbook steps, for its archive.
type StepLister interface {
	ReleaseSteps(ctx context.Context, releaseID string) ([]StepRecord, error)
}
