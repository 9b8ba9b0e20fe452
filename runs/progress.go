package runs

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Progress draws one status line on a terminal while networks train: how
// many are done, the steps of those running, and an estimate of the time
// left. It implements Events.
type Progress struct {
	w     io.Writer
	total int // networks
	steps int // per network

	mu       sync.Mutex
	start    time.Time
	lastDraw time.Time
	done     int
	work     float64 // total work, in modality-steps: a joint step costs K uni-modal ones
	workDone float64
	running  map[*NetworkRun]int
	width    int
}

// NewProgress returns a Progress for networks networks of steps steps,
// weighted by the modalities they see, drawing on w.
func NewProgress(w io.Writer, cfg *Config, specs []NetworkSpec) *Progress {
	p := &Progress{w: w, total: len(specs) * cfg.Seeds, steps: cfg.Steps, start: time.Now(), running: map[*NetworkRun]int{}}
	for _, s := range specs {
		p.work += float64(len(s.Modalities)*cfg.Steps) * float64(cfg.Seeds)
	}
	return p
}

// Started marks run as running.
func (p *Progress) Started(run *NetworkRun, steps int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[run] = 0
	p.draw(false)
}

// Logged records that run reached step.
func (p *Progress) Logged(run *NetworkRun, step int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workDone += float64((step - p.running[run]) * len(run.Modalities))
	p.running[run] = step
	p.draw(false)
}

// Finished marks run as done.
func (p *Progress) Finished(run *NetworkRun) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Count a network that stopped early as all its work done, so the
	// estimate stays about the networks that remain.
	p.workDone += float64((p.steps - p.running[run]) * len(run.Modalities))
	delete(p.running, run)
	p.done++
	p.draw(true)
}

// Close ends the status line.
func (p *Progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

func (p *Progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.lastDraw) < 200*time.Millisecond {
		return
	}
	p.lastDraw = now
	var active []string
	for r, step := range p.running {
		active = append(active, fmt.Sprintf("seed %d %s %d/%d", r.Seed, r.Network, step, p.steps))
	}
	sort.Strings(active)
	line := fmt.Sprintf("%d/%d networks done", p.done, p.total)
	if len(active) > 0 {
		line += " | " + strings.Join(active, ", ")
	}
	elapsed := now.Sub(p.start)
	line += " | " + formatDuration(elapsed)
	if p.workDone > 0 && p.workDone < p.work {
		eta := time.Duration(float64(elapsed) * (p.work - p.workDone) / p.workDone)
		line += " elapsed, ETA " + formatDuration(eta)
	}
	pad := ""
	if len(line) < p.width {
		pad = strings.Repeat(" ", p.width-len(line))
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.width = len(line)
}

// formatDuration renders d as m:ss or h:mm:ss.
func formatDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
