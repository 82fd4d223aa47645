package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestTokenAnswerFlushes: the token endpoint flushes a failed
// authentication's answer before it counts the failure (token's
// strikeAfterAnswer, through http.ResponseController), so the writer the
// server wraps /oauth2/* in must let a flush through.
func TestTokenAnswerFlushes(t *testing.T) {
	inner := httptest.NewRecorder()
	var w http.ResponseWriter = &statusRecorder{ResponseWriter: inner}
	w.WriteHeader(http.StatusUnauthorized)
	if err := http.NewResponseController(w).Flush(); err != nil || !inner.Flushed {
		t.Fatalf("flush through the server's recorder: %v, flushed %v", err, inner.Flushed)
	}
}
