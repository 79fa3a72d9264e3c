// Command rolo is a terminal CRM: contacts, companies, an interaction timeline, follow-ups
// and a deal pipeline in one local SQLite file.
package main

import (
	"context"
	"os"
)

func main() {
	a := &App{ctx: context.Background(), io: Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, now: nowFunc, signals: true}
	os.Exit(a.run(os.Args[1:]))
}
