package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/audit"
)

var now = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func testKey(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// testProof is a two-entry log of release r1 covered by a checkpoint signed with key.
func testProof(t testing.TB, key ed25519.PrivateKey) []byte {
	e1 := audit.Next(nil, audit.Draft{Time: now, ReleaseID: "r1", WorkflowID: "r1", EventSeq: 1, Actor: "system", Kind: audit.KindPhase})
	e2 := audit.Next(&e1, audit.Draft{Time: now, ReleaseID: "r1", WorkflowID: "r1", EventSeq: 2, Actor: "bob", Kind: audit.KindApproval})
	cp := audit.SignCheckpoint(key, e2, 0, audit.DefaultCheckpointInterval, now)
	raw, err := json.Marshal(audit.BuildProof("r1", []audit.Entry{e1, e2}, &cp))
	require.NoError(t, err)
	return raw
}

func testFiles(t testing.TB, key ed25519.PrivateKey) []File {
	return []File{
		{Name: "spec.json", Data: []byte(`{"metadata":{"id":"r1"}}`)},
		{Name: "timeline.json", Data: []byte(`[]`)},
		{Name: "steps/001-deploy-staging-cart.log", Data: []byte("deployed\n")},
		{Name: "review/report.md", Data: []byte("# Review\n")},
		{Name: ProofName, Data: testProof(t, key)},
	}
}

func bundle(t testing.TB, files []File, key ed25519.PrivateKey) []byte {
	var buf bytes.Buffer
	_, err := Write(&buf, "r1", files, key, now)
	require.NoError(t, err)
	return buf.Bytes()
}

// entries unpacks a bundle into its tar entries in order.
func entries(t *testing.T, b []byte) []File {
	gz, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	var out []File
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out = append(out, File{Name: h.Name, Data: data})
	}
}

// repack writes entries back as a tar.gz, as a tamperer would.
func repack(t *testing.T, files []File) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(f.Data)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func TestBundleVerifiesFromBytesAndPublicKeyOnly(t *testing.T) {
	key := testKey(t, 1)
	b := bundle(t, testFiles(t, key), key)
	pub := key.Public().(ed25519.PublicKey)
	rep, err := Verify(bytes.NewReader(b), pub)
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	require.True(t, rep.Trusted)
	require.True(t, rep.SignatureValid)
	require.Equal(t, "verified", rep.Proof)
	require.Equal(t, 5, rep.Files)

	// Without a key, the embedded one vouches for integrity but is not trusted.
	rep, err = Verify(bytes.NewReader(b), nil)
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	require.False(t, rep.Trusted)

	// Deterministic: the same input gives the same bytes.
	require.Equal(t, b, bundle(t, testFiles(t, key), key))
}

func TestEverySingleFileChangeDeletionOrAdditionIsNamed(t *testing.T) {
	key := testKey(t, 1)
	pub := key.Public().(ed25519.PublicKey)
	orig := entries(t, bundle(t, testFiles(t, key), key))
	for i, f := range orig {
		t.Run("alter "+f.Name, func(t *testing.T) {
			changed := append([]File(nil), orig...)
			data := append([]byte(nil), f.Data...)
			data[len(data)/2] ^= 0x01
			changed[i] = File{Name: f.Name, Data: data}
			rep, err := Verify(bytes.NewReader(repack(t, changed)), pub)
			require.NoError(t, err)
			require.Error(t, rep.Err())
			switch f.Name {
			case ManifestName, SignatureName:
				require.False(t, rep.SignatureValid, "a changed manifest or signature must break the signature")
			case PublicKeyName:
				// Verified with the trusted key, the embedded copy does not matter; without
				// it, the altered embedded key no longer matches the manifest's key ID.
				rep, err = Verify(bytes.NewReader(repack(t, changed)), nil)
				require.NoError(t, err)
				require.Error(t, rep.Err())
			default:
				require.Equal(t, []string{f.Name}, rep.Altered)
				require.Contains(t, rep.Err().Error(), `file "`+f.Name+`" altered`)
			}
		})
		t.Run("delete "+f.Name, func(t *testing.T) {
			without := append(append([]File(nil), orig[:i]...), orig[i+1:]...)
			rep, err := Verify(bytes.NewReader(repack(t, without)), pub)
			require.NoError(t, err)
			require.Error(t, rep.Err())
			switch f.Name {
			case ManifestName, SignatureName:
				require.False(t, rep.SignatureValid)
			case PublicKeyName:
				rep, err = Verify(bytes.NewReader(repack(t, without)), nil)
				require.NoError(t, err)
				require.Error(t, rep.Err())
			default:
				require.Equal(t, []string{f.Name}, rep.Missing)
				require.Contains(t, rep.Err().Error(), `file "`+f.Name+`" missing`)
			}
		})
	}
	for _, name := range []string{"extra.txt", "steps/999-injected.log", "spec.json"} {
		t.Run("add "+name, func(t *testing.T) {
			rep, err := Verify(bytes.NewReader(repack(t, append(append([]File(nil), orig...), File{Name: name, Data: []byte("x")}))), pub)
			require.NoError(t, err)
			require.Equal(t, []string{name}, rep.Added)
			require.Contains(t, rep.Err().Error(), `file "`+name+`" added`)
		})
	}
}

func TestResignedWithAnotherKeyIsRefusedWithTheTrustedKey(t *testing.T) {
	key, other := testKey(t, 1), testKey(t, 2)
	files := testFiles(t, key)
	files[0].Data = []byte(`{"metadata":{"id":"forged"}}`)
	forged := bundle(t, files, other) // a consistent bundle, signed by someone else
	rep, err := Verify(bytes.NewReader(forged), key.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	require.ErrorIs(t, rep.Err(), ErrNotVerified)
	require.Contains(t, rep.Err().Error(), "signed by key "+audit.KeyID(other.Public().(ed25519.PublicKey)))
	// And its audit proof, signed by the real key, no longer verifies under the embedded key.
	rep, err = Verify(bytes.NewReader(forged), nil)
	require.NoError(t, err)
	require.Error(t, rep.Err())
	require.Contains(t, rep.Proof, "signature does not verify")
}

func TestWriteRefusesBadNames(t *testing.T) {
	key := testKey(t, 1)
	for _, name := range []string{"", "../x", "/abs", "a/../b", ManifestName, SignatureName, PublicKeyName} {
		_, err := Write(io.Discard, "r1", []File{{Name: name}}, key, now)
		require.Error(t, err, name)
	}
	_, err := Write(io.Discard, "r1", []File{{Name: "a"}, {Name: "a"}}, key, now)
	require.ErrorContains(t, err, `file "a" appears twice`)
	_, err = Write(io.Discard, "r1", nil, nil, now)
	require.ErrorContains(t, err, "no signing key")
}

func TestVerifyRejectsGarbage(t *testing.T) {
	_, err := Verify(bytes.NewReader([]byte("not an archive")), nil)
	require.ErrorContains(t, err, "not a gzip stream")
}

func TestExpiredAndFileName(t *testing.T) {
	files := []Stored{
		{Name: "old.tar.gz", Modified: now.Add(-91 * 24 * time.Hour)},
		{Name: "new.tar.gz", Modified: now.Add(-time.Hour)},
		{Name: "notes.txt", Modified: now.Add(-1000 * time.Hour)},
	}
	require.Equal(t, []string{"old.tar.gz"}, Expired(files, now, 2160*time.Hour))
	require.Empty(t, Expired(files, now, 0))
	require.Equal(t, "shop_1-20260304T100000Z.tar.gz", FileName("shop/1", now))
}

func BenchmarkWriteVerify(b *testing.B) {
	key := testKey(b, 1)
	files := testFiles(b, key)
	files = append(files, File{Name: "steps/big.log", Data: bytes.Repeat([]byte("log line\n"), 100000)})
	pub := key.Public().(ed25519.PublicKey)
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := Write(&buf, "r1", files, key, now); err != nil {
			b.Fatal(err)
		}
		if rep, err := Verify(&buf, pub); err != nil || !rep.OK() {
			b.Fatal(err, rep.Err())
		}
	}
}
