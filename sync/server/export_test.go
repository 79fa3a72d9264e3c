package server

// Str is str, for the external tests.
var Str = str
