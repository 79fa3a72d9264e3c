package store

import (
	"context"
	"fmt"
	"sort"
)

// StageSummary is one column of the pipeline.
type StageSummary struct {
	Stage    Stage           `json:"stage"`
	Count    int             `json:"count"`
	Rotting  int             `json:"rotting"`
	Totals   []CurrencyTotal `json:"totals"`
	Weighted []CurrencyTotal `json:"weighted"`
}

// CurrencyTotal is a sum in one currency (rolo never converts between currencies).
type CurrencyTotal struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// Pipeline is the open-deal pipeline: per stage, counts and totals per currency.
type Pipeline struct {
	Stages   []StageSummary  `json:"stages"`
	Totals   []CurrencyTotal `json:"totals"`
	Weighted []CurrencyTotal `json:"weighted"`
	Rotting  []Deal          `json:"rotting"`
}

// Pipeline summarises open deals by stage: count, total and probability-weighted total per
// currency, how many are rotting, and (up to limit) the rotting deals themselves.
func (db *DB) Pipeline(ctx context.Context, limit int) (*Pipeline, error) {
	stages, err := db.Stages(ctx)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{Totals: []CurrencyTotal{}, Weighted: []CurrencyTotal{}}
	idx := map[string]int{}
	for i, s := range stages {
		idx[s.ID] = i
		p.Stages = append(p.Stages, StageSummary{Stage: s, Totals: []CurrencyTotal{}, Weighted: []CurrencyTotal{}})
	}
	// Totals per stage and currency, read from the deals_board index alone. (Every deal's
	// stage exists: stages are only ever tombstoned, and stage_id is a foreign key.)
	rows, err := db.query(ctx, `SELECT d.stage_id, d.currency, count(*), sum(d.value) FROM deals d
		WHERE d.status = 'open' AND d.deleted_at IS NULL AND d.merged_into IS NULL
		GROUP BY d.stage_id, d.currency ORDER BY d.currency`)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	defer rows.Close()
	total, weighted := map[string]int64{}, map[string]int64{}
	for rows.Next() {
		var stageID, cur string
		var n int
		var sum int64
		if err := rows.Scan(&stageID, &cur, &n, &sum); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		i, ok := idx[stageID]
		if !ok {
			continue
		}
		ss := &p.Stages[i]
		w := sum * int64(ss.Stage.Probability) / 100
		ss.Count += n
		ss.Totals = append(ss.Totals, CurrencyTotal{cur, sum})
		ss.Weighted = append(ss.Weighted, CurrencyTotal{cur, w})
		total[cur] += sum
		weighted[cur] += w
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Rotting deals per stage: one range of the deals_board_age index per stage, with the
	// stage's cutoff computed once.
	rows, err = db.query(ctx, `SELECT s.id, count(*) FROM stages s CROSS JOIN deals d
		WHERE d.stage_id = s.id AND d.status = 'open' AND d.deleted_at IS NULL AND d.merged_into IS NULL AND s.rotting_days > 0
		AND d.stage_entered_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || s.rotting_days || ' days')
		GROUP BY s.id`, fmtTime(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stageID string
		var rot int
		if err := rows.Scan(&stageID, &rot); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		if i, ok := idx[stageID]; ok {
			p.Stages[i].Rotting += rot
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p.Totals, p.Weighted = sortedTotals(total), sortedTotals(weighted)
	if p.Rotting, _, err = db.RottingDeals(ctx, limit); err != nil {
		return nil, err
	}
	return p, nil
}

func sortedTotals(m map[string]int64) []CurrencyTotal {
	out := []CurrencyTotal{}
	for c, a := range m {
		out = append(out, CurrencyTotal{c, a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}
