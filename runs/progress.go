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
//
// The line is redrawn in place with a carriage return, which only works
// while it fits on one row: with Columns set, the line is fitted to the
// terminal's width (see fitLine) at every draw.
type Progress struct {
	// Columns, if not nil, returns the width of the terminal in columns
	// (0 when unknown). Set it before training starts.
	Columns func() int

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
	head := fmt.Sprintf("%d/%d networks done", p.done, p.total)
	elapsed := now.Sub(p.start)
	tail := formatDuration(elapsed)
	if p.workDone > 0 && p.workDone < p.work {
		eta := time.Duration(float64(elapsed) * (p.work - p.workDone) / p.workDone)
		tail += " elapsed, ETA " + formatDuration(eta)
	}
	width := 0
	if p.Columns != nil {
		// One column short of the terminal's: a line that reaches the
		// last column makes some terminals wrap before the \r.
		width = p.Columns() - 1
	}
	line := fitLine(head, active, tail, width)
	pad := ""
	if len(line) < p.width {
		pad = strings.Repeat(" ", p.width-len(line))
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.width = len(line)
}

// fitLine joins the parts of the status line, "head | active, ... | tail",
// in at most width columns (no limit for width <= 0). What gives way first
// is the list of running networks: the entries that do not fit become
// "+N more", then the whole list "N running"; then the list goes, and
// last the line is cut. Every part is ASCII, so a byte is a column.
func fitLine(head string, active []string, tail string, width int) string {
	join := func(middle string) string {
		if middle == "" {
			return head + " | " + tail
		}
		return head + " | " + middle + " | " + tail
	}
	line := join(strings.Join(active, ", "))
	if width <= 0 || len(line) <= width {
		return line
	}
	for n := len(active) - 1; n > 0; n-- {
		if l := join(strings.Join(active[:n], ", ") + fmt.Sprintf(", +%d more", len(active)-n)); len(l) <= width {
			return l
		}
	}
	if l := join(fmt.Sprintf("%d running", len(active))); len(active) > 0 && len(l) <= width {
		return l
	}
	if l := join(""); len(l) <= width {
		return l
	}
	return join("")[:width]
}

// formatDuration renders d as m:ss or h:mm:ss.
func formatDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
