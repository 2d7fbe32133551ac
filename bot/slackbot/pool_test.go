package slackbot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolBound(t *testing.T) {
	const workers, queue = 2, 3
	p := newPool(workers, queue)
	release := make(chan struct{})
	started := make(chan struct{}, workers)
	var ran atomic.Int32
	job := func() {
		started <- struct{}{}
		<-release
		ran.Add(1)
	}
	// Fill the workers, and wait until both hold a job.
	for range workers {
		if !p.Submit(job) {
			t.Fatal("Submit refused a job with idle workers")
		}
	}
	for range workers {
		<-started
	}
	// Fill the queue.
	for i := range queue {
		if !p.Submit(func() { ran.Add(1) }) {
			t.Fatalf("Submit refused job %d of a queue of %d", i+1, queue)
		}
	}
	if d := p.Depth(); d != queue {
		t.Errorf("Depth = %d, want %d", d, queue)
	}
	// Now Submit must refuse at once rather than block.
	if p.Submit(func() { ran.Add(1) }) {
		t.Fatal("Submit accepted a job beyond the bound")
	}
	close(release)
	p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := ran.Load(); n != workers+queue {
		t.Errorf("%d jobs ran, want %d (queued jobs must run after Close)", n, workers+queue)
	}
	if p.Submit(func() {}) {
		t.Error("Submit accepted a job after Close")
	}
	p.Close() // twice is harmless
}

func TestPoolWaitTimeout(t *testing.T) {
	p := newPool(1, 1)
	release := make(chan struct{})
	p.Submit(func() { <-release })
	p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); err == nil {
		t.Error("Wait returned nil with a job still running and ctx done")
	}
	close(release)
	if err := p.Wait(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestPoolReserve(t *testing.T) {
	p := newPool(1, 2)
	release := make(chan struct{})
	started := make(chan struct{})
	p.Submit(func() { close(started); <-release })
	<-started
	for i := 1; i <= 2; i++ {
		if !p.Reserve() {
			t.Fatalf("Reserve %d refused with places free", i)
		}
	}
	if p.Reserve() || p.Submit(func() {}) {
		t.Fatal("a third job was accepted in a queue of 2 with 2 places reserved")
	}
	if p.Depth() != 2 {
		t.Errorf("Depth = %d, want 2", p.Depth())
	}
	var ran atomic.Int32
	p.Run(func() { ran.Add(1) })
	p.Run(func() { ran.Add(1) })
	close(release)
	p.Close()
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 2 {
		t.Errorf("%d reserved jobs ran, want 2", ran.Load())
	}
}
