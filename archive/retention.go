package archive

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Stored is an archive file as the retention check sees it.
type Stored struct {
	Name     string
	Modified time.Time
}

// FileName is the file name of a release's archive: the release ID made safe for a file system
// and the close time, so a release archived twice (a re-run) keeps both.
func FileName(releaseID string, closedAt time.Time) string {
	return fmt.Sprintf("%s-%s.tar.gz", unsafeChars.ReplaceAllString(releaseID, "_"), closedAt.UTC().Format("20060102T150405Z"))
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// Expired returns, sorted, the names of archives older than retention at now. A retention of
// zero or less keeps everything: deleting audit evidence must be a deliberate setting.
func Expired(files []Stored, now time.Time, retention time.Duration) []string {
	if retention <= 0 {
		return nil
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".tar.gz") && now.Sub(f.Modified) > retention {
			out = append(out, f.Name)
		}
	}
	slices.Sort(out)
	return out
}
