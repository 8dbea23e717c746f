package release

import (
	"fmt"
	"io"
	"os"
)

// MaxSpecBytes is the largest spec Load reads. Real specs are a few KiB; the bound keeps a wrong
// path (a log file, a disk image) from being read into memory whole.
const MaxSpecBytes = 4 << 20

// Load reads and parses the spec file at path (see Parse). Problems name the file as path.
func Load(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load release spec: %w", err)
	}
	defer f.Close()
	tooBig := func(detail string) error {
		return Problems{{File: path, Message: fmt.Sprintf(
			"spec is over the %d MiB limit%s: is this the right file?", MaxSpecBytes>>20, detail)}}
	}
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load release spec: %w", err)
	}
	if info.IsDir() {
		return nil, Problems{{File: path, Message: "is a directory, not a spec file"}}
	}
	if info.Mode().IsRegular() && info.Size() > MaxSpecBytes {
		return nil, tooBig(fmt.Sprintf(" (%.1f MiB)", float64(info.Size())/(1<<20)))
	}
	// Stat says nothing useful for pipes and devices, so bound the read as well.
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load release spec %s: %w", path, err)
	}
	if len(data) > MaxSpecBytes {
		return nil, tooBig("")
	}
	return Parse(path, data)
}
