// Command crm-ping exits 0 when the MongoDB-compatible server at the given URL answers a ping.
// tools/infra/mongodb.sh copies it into its FerretDB build tree and builds it there, so that it uses
// the MongoDB Go driver FerretDB already depends on (no mongosh or node needed to probe readiness).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crm-ping <mongodb-url>")
		os.Exit(2)
	}
	if err := ping(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func ping(url string) error {
	// One short attempt: the caller polls, so a hanging probe would only delay the next one.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	opts := options.Client().ApplyURI(url).SetServerSelectionTimeout(time.Second).SetConnectTimeout(time.Second)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	if err := client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}
