package server

// MTLSBase returns the scheme and host of the mTLS listener's endpoints,
// "" while the server has no mTLS listener.
func (s *Server) MTLSBase() string { return "" }
