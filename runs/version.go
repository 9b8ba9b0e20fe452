package runs

import (
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
)

// Version is modcomp's version.
const Version = "0.1.0"

// Commit returns the git commit modcomp was built from, when known: from the
// build's VCS stamp, or else from `git describe` of the working directory if
// it is a modcomp checkout (as under `go run`). Empty when unknown. It is
// looked up once per process: a sweep writes it into every point's
// config.json, and without a VCS stamp each lookup runs git three times.
func Commit() string { return commitOnce() }

var commitOnce = sync.OnceValue(lookUpCommit)

func lookUpCommit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	mod, err := exec.Command("git", "-C", strings.TrimSpace(string(top)), "show", "HEAD:go.mod").Output()
	if err != nil || !strings.Contains(string(mod), "module github.com/modcomp/modcomp") {
		return ""
	}
	out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=40").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// resolvedConfig is config.json: every key of cfg, plus provenance under the
// "modcomp" key, which loading ignores, so that passing the file back with
// --config reproduces the run.
func resolvedConfig(cfg *Config, command string) map[string]any {
	m := configKeys(cfg)
	m[metadataKey] = metadata(command, cfg)
	return m
}
