package slackbot

import (
	"context"
	"sync"
)

// pool runs jobs on a fixed number of workers behind a bounded queue.
// Nothing in it blocks the caller: when the queue is full a job is refused,
// so that the Socket Mode event loop keeps draining and acknowledging.
//
// A place in the queue can be reserved before the job is handed over, so
// that the caller can acknowledge a request, saying whether it was
// accepted, before any work on it starts.
type pool struct {
	queue chan func()
	slots chan struct{} // one per queued or reserved job
	wg    sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

// newPool starts workers that run jobs from a queue of size queueSize.
func newPool(workers, queueSize int) *pool {
	p := &pool{queue: make(chan func(), queueSize), slots: make(chan struct{}, queueSize)}
	for range workers {
		p.wg.Go(func() {
			for job := range p.queue {
				<-p.slots
				job()
			}
		})
	}
	return p
}

// Reserve takes a place in the queue and reports whether there was one.
// A successful Reserve must be followed by Run.
func (p *pool) Reserve() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	select {
	case p.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// Run queues job in a place taken by Reserve. It does not block.
func (p *pool) Run(job func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		<-p.slots
		return
	}
	p.queue <- job // never blocks: the queue has a place per slot
}

// Submit queues job and reports whether it was accepted: false when the
// queue is full or the pool is closed.
func (p *pool) Submit(job func()) bool {
	if !p.Reserve() {
		return false
	}
	p.Run(job)
	return true
}

// Depth is the number of jobs waiting for a worker, reserved places
// included.
func (p *pool) Depth() int { return len(p.slots) }

// Capacity is the size of the queue.
func (p *pool) Capacity() int { return cap(p.slots) }

// Close stops accepting jobs; the workers finish the queued ones and exit.
func (p *pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
}

// Wait waits until the workers have exited after Close, or ctx ends.
func (p *pool) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
