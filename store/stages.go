package store

import (
	"context"
	"fmt"
	"strings"
)

// Stages returns the pipeline's stages in order.
func (db *DB) Stages(ctx context.Context) ([]Stage, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, name, position, probability, rotting_days FROM stages
		WHERE deleted_at IS NULL ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("list stages: %w", err)
	}
	defer rows.Close()
	var out []Stage
	for rows.Next() {
		var s Stage
		if err := rows.Scan(&s.ID, &s.Name, &s.Position, &s.Probability, &s.RottingDays); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindStage returns the stage named name (case-insensitively, or by a unique prefix).
func (db *DB) FindStage(ctx context.Context, name string) (Stage, error) {
	stages, err := db.Stages(ctx)
	if err != nil {
		return Stage{}, err
	}
	name = strings.TrimSpace(name)
	var prefix []Stage
	for _, s := range stages {
		if strings.EqualFold(s.Name, name) {
			return s, nil
		}
		if name != "" && strings.HasPrefix(strings.ToLower(s.Name), strings.ToLower(name)) {
			prefix = append(prefix, s)
		}
	}
	if len(prefix) == 1 {
		return prefix[0], nil
	}
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	return Stage{}, fmt.Errorf("%w: unknown stage %q (stages: %s)", ErrInvalid, name, strings.Join(names, ", "))
}
