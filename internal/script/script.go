// Package script holds what a loopback fake of a service answers and what
// it was asked: answers queued in order, a handler for the rest, and the
// log of requests received, which tests can wait on.
package script

import (
	"context"
	"fmt"
	"sync"
)

// Script is the answers of a fake and the requests it received. The zero
// value is ready; its methods are safe for concurrent use.
type Script[Req, Resp any] struct {
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when requests grow
	queue    []Resp
	handler  func(Req) Resp
	requests []Req
}

// Enqueue adds answers to the queue; each request takes the next one
// before the handler is asked.
func (s *Script[Req, Resp]) Enqueue(rs ...Resp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, rs...)
}

// Handle sets the function answering requests when the queue is empty. h
// runs on the server's goroutines.
func (s *Script[Req, Resp]) Handle(h func(Req) Resp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

// Requests returns the requests received so far, refused ones included.
func (s *Script[Req, Resp]) Requests() []Req {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Req(nil), s.requests...)
}

// WaitRequests blocks until n requests have been received (answered or
// not) or ctx ends.
func (s *Script[Req, Resp]) WaitRequests(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.requests), s.changedLocked()
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d requests (have %d): %w", n, got, ctx.Err())
		}
	}
}

// Record adds a request to the log.
func (s *Script[Req, Resp]) Record(req Req) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	close(s.changedLocked())
	s.changed = make(chan struct{})
}

// Next is the answer to req: the next queued one, else the handler's;
// ok is false when there is neither.
func (s *Script[Req, Resp]) Next(req Req) (resp Resp, ok bool) {
	s.mu.Lock()
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return r, true
	}
	h := s.handler
	s.mu.Unlock()
	if h == nil {
		return resp, false
	}
	return h(req), true
}

func (s *Script[Req, Resp]) changedLocked() chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}
