package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketOf(t *testing.T) {
	t.Run("OK_EveryBucketHoldsItsRange", func(t *testing.T) {
		for i := 0; i < histBuckets; i++ {
			low, width := bucketRange(i)
			if got := bucketOf(low); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", low, got, i)
			}
			if got := bucketOf(low + width - 1); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d (top of bucket)", low+width-1, got, i)
			}
			if i >= histExactLimit && float64(width)/float64(low) > 1.0/128 {
				t.Fatalf("bucket %d: width %d of %d is over 1/128", i, width, low)
			}
		}
	})
	t.Run("OK_LargestValue", func(t *testing.T) {
		if got := bucketOf(^uint64(0)); got != histBuckets-1 {
			t.Fatalf("bucketOf(max) = %d, want %d", got, histBuckets-1)
		}
	})
}

func TestHistogramQuantile(t *testing.T) {
	t.Run("OK_Empty", func(t *testing.T) {
		var h histogram
		if got := h.Quantile(0.99); got != 0 {
			t.Fatalf("Quantile of empty = %v, want 0", got)
		}
	})
	t.Run("OK_SmallValuesExact", func(t *testing.T) {
		var h histogram
		for v := 1; v <= 100; v++ {
			h.Record(time.Duration(v))
		}
		for _, c := range []struct {
			q    float64
			want time.Duration
		}{{0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}, {0, 1}} {
			if got := h.Quantile(c.q); got != c.want {
				t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
			}
		}
		if h.Count() != 100 || h.Max() != 100 || h.Mean() != 50 {
			t.Errorf("Count, Max, Mean = %d, %v, %v; want 100, 100ns, 50ns", h.Count(), h.Max(), h.Mean())
		}
	})
	t.Run("OK_WithinOnePercentOfExact", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		samples := make([]time.Duration, 100_000)
		var a, b histogram // recorded in two halves and merged, as workers do
		for i := range samples {
			// Log-normal-ish: 50 µs to ~1 s.
			d := time.Duration(50_000 * (1 + rng.ExpFloat64()*rng.ExpFloat64()*200))
			samples[i] = d
			if i%2 == 0 {
				a.Record(d)
			} else {
				b.Record(d)
			}
		}
		a.Merge(&b)
		slices.Sort(samples)
		for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
			exact := samples[int(q*float64(len(samples)))-1]
			got := a.Quantile(q)
			if diff := float64(got-exact) / float64(exact); diff > 0.01 || diff < -0.01 {
				t.Errorf("Quantile(%v) = %v, exact %v: off by %.2f%%", q, got, exact, diff*100)
			}
		}
		if a.Max() != samples[len(samples)-1] {
			t.Errorf("Max = %v, want %v", a.Max(), samples[len(samples)-1])
		}
		if a.Count() != uint64(len(samples)) {
			t.Errorf("Count = %d, want %d", a.Count(), len(samples))
		}
	})
}

func TestDueInWindow(t *testing.T) {
	for _, c := range []struct {
		warmup, d time.Duration
		rate      float64
		want      uint64
	}{
		{time.Second, 3 * time.Second, 500, 1500},
		{time.Second, 2 * time.Second, 3, 6},
		{0, time.Second, 7, 7},
		{time.Second, time.Second, 0.5, 0},             // due at 0 s and 2 s: neither in [1 s, 2 s)
		{time.Second, 1500 * time.Millisecond, 0.5, 1}, // 2 s is in [1 s, 2.5 s)
	} {
		if got := dueInWindow(c.warmup, c.d, float64(time.Second)/c.rate); got != c.want {
			t.Errorf("dueInWindow(%v, %v, rate %v) = %d, want %d", c.warmup, c.d, c.rate, got, c.want)
		}
	}
}
