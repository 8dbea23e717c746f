package integrity

import (
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// genReader yields n deterministic pseudo-random bytes (xorshift) without holding them.
type genReader struct {
	left  int64
	state uint64
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	for i := range p {
		g.state ^= g.state << 13
		g.state ^= g.state >> 7
		g.state ^= g.state << 17
		p[i] = byte(g.state)
	}
	g.left -= int64(len(p))
	return len(p), nil
}

// peakHeap samples HeapAlloc while f runs and returns the peak.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	return peak.Load()
}

// BenchmarkStreamDigest1GiB streams 1 GiB through StreamDigest and reports throughput and the
// peak heap seen while it ran (the target is ≤ 64 MiB).
func BenchmarkStreamDigest1GiB(b *testing.B) {
	const size = 1 << 30
	b.SetBytes(size)
	var peak uint64
	for b.Loop() {
		p := peakHeap(func() {
			if _, n, err := StreamDigest(&genReader{left: size, state: 0x9e3779b97f4a7c15}, nil); err != nil || n != size {
				b.Fatalf("streamed %d bytes: %v", n, err)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkVerifyBundle is one Sigstore signature verification (virtual Sigstore, offline).
func BenchmarkVerifyBundle(b *testing.B) {
	artifact := []byte("ledger 3.1.0 release tarball")
	vs := virtualSigstore(b)
	v := sigstoreVerifier(b, vs, true)
	e, err := vs.Sign(testSubject, testIssuer, artifact)
	if err != nil {
		b.Fatal(err)
	}
	d := digestOf(artifact)
	for b.Loop() {
		if r := v.VerifyBundle("ledger", e, d); !r.Passed {
			b.Fatal(r.Message)
		}
	}
}

// BenchmarkVerifyKeySignature is one plain ed25519 key signature verification.
func BenchmarkVerifyKeySignature(b *testing.B) {
	artifact := []byte("ledger 3.1.0 release tarball")
	k := newTestKey(b)
	ring := Keyring{"ci": k.public(b, "ci", time.Time{})}
	sig := k.signDigest(artifact)
	d := digestOf(artifact)
	for b.Loop() {
		if r := VerifyKeySignature("ledger", d, sig, "ci", ring, testNow); !r.Passed {
			b.Fatal(r.Message)
		}
	}
}
