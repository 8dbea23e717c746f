package artifacts

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
)

// Fake is an in-memory Fetcher: objects by ref, every Open recorded, faults injectable.
type Fake struct {
	mu      sync.Mutex
	objects map[string][]byte
	faults  map[string]error
	calls   []string
}

var _ Fetcher = (*Fake)(nil)

// NewFake returns an empty fake.
func NewFake() *Fake { return &Fake{objects: map[string][]byte{}, faults: map[string]error{}} }

// Put stores an object under ref.
func (f *Fake) Put(ref string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[ref] = bytes.Clone(data)
}

// Fail makes every Open of ref return err.
func (f *Fake) Fail(ref string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[ref] = err
}

// Calls returns the refs opened so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Open implements Fetcher.
func (f *Fake) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, ref)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.faults[ref]; err != nil {
		return nil, err
	}
	b, ok := f.objects[ref]
	if !ok {
		return nil, fmt.Errorf("%s: %w", ref, ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}
