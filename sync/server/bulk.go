package server

import (
	"fmt"
	"sort"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/wire"
)

// bulkTx is the WriteTx a push's merge runs on: it answers the merge's per-op reads from
// a few bulk reads made before (every op id, record and scope the push names), and holds
// its writes until a read needs them or the push is done, then writes each table's rows
// in one statement. What the merge sees is what it would see writing row by row: every
// read it is not sure of goes to the storage after the held writes.
type bulkTx struct {
	WriteTx
	seqs     map[string]int64 // op id → seq, for op ids known to be in the log
	seqKnown map[string]bool  // op ids whose presence seqs tells
	rejs     map[string]wire.Rejection
	rejKnown map[string]bool
	recs     map[string]Record
	recKnown map[string]bool

	// Held writes, in order.
	records []Record
	fields  []FieldRow
	changes []*wire.Change
	now     time.Time
}

func newBulkTx(tx WriteTx) *bulkTx {
	return &bulkTx{WriteTx: tx, seqs: map[string]int64{}, seqKnown: map[string]bool{}, rejs: map[string]wire.Rejection{},
		rejKnown: map[string]bool{}, recs: map[string]Record{}, recKnown: map[string]bool{}}
}

// prefetch reads in bulk what merging ops will ask about: their op ids' seqs and
// rejections, their records and the records their creates belong to.
func (b *bulkTx) prefetch(ops []wire.Op) error {
	var opIDs, recIDs []string
	asked := make(map[string]bool, len(ops)) // record ids in recIDs: each is asked for once
	askRec := func(id string) {
		if !b.recKnown[id] && !asked[id] {
			asked[id] = true
			recIDs = append(recIDs, id)
		}
	}
	for i := range ops {
		op := &ops[i]
		if !b.seqKnown[op.OpID] {
			opIDs = append(opIDs, op.OpID)
		}
		askRec(op.EntityID)
		if op.Kind == wire.KindCreate {
			if sc := store.ScopeOf(op.Entity, func(f string) string { return str(op.Fields[f]) }); sc != "" {
				askRec(sc)
			}
		}
	}
	// Held writes need not go first: whatever they change is in the maps already.
	if len(opIDs) > 0 {
		seqs, err := b.WriteTx.OpSeqs(opIDs)
		if err != nil {
			return err
		}
		rejs, err := b.WriteTx.Rejections(opIDs)
		if err != nil {
			return err
		}
		for _, id := range opIDs {
			b.seqKnown[id], b.rejKnown[id] = true, true
			if s, ok := seqs[id]; ok {
				b.seqs[id] = s
			}
			if r, ok := rejs[id]; ok {
				b.rejs[id] = r
			}
		}
	}
	if len(recIDs) > 0 {
		recs, err := b.WriteTx.Records(recIDs)
		if err != nil {
			return err
		}
		for _, id := range recIDs {
			b.recKnown[id] = true
			if r, ok := recs[id]; ok {
				b.recs[id] = r
			}
		}
	}
	return nil
}

// flush writes the held rows: records and fields (the last write of each wins, as it
// would row by row), then the changes in order.
func (b *bulkTx) flush() error {
	if len(b.records) > 0 {
		last := map[string]int{}
		for i, r := range b.records {
			last[r.ID] = i
		}
		rs := make([]Record, 0, len(last))
		for i, r := range b.records {
			if last[r.ID] == i {
				rs = append(rs, r)
			}
		}
		// In key order: the rows land where the ones before them did, in pages the
		// storage has at hand, instead of all over a large table's index.
		sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
		if err := b.WriteTx.PutRecords(rs); err != nil {
			return err
		}
		b.records = b.records[:0]
	}
	if len(b.fields) > 0 {
		type key struct{ rec, name string }
		last := map[key]int{}
		for i, f := range b.fields {
			last[key{f.Record, f.Name}] = i
		}
		fs := make([]FieldRow, 0, len(last))
		for i, f := range b.fields {
			if last[key{f.Record, f.Name}] == i {
				fs = append(fs, f)
			}
		}
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].Record != fs[j].Record {
				return fs[i].Record < fs[j].Record
			}
			return fs[i].Name < fs[j].Name
		})
		if err := b.WriteTx.PutFieldRows(fs); err != nil {
			return err
		}
		b.fields = b.fields[:0]
	}
	if len(b.changes) > 0 {
		want := b.WriteTx.Workspace().LastSeq + int64(len(b.changes))
		if err := b.WriteTx.AppendAll(b.changes, b.now); err != nil {
			return err
		}
		if got := b.WriteTx.Workspace().LastSeq; got != want {
			return fmt.Errorf("append: the log reached seq %d, not %d", got, want)
		}
		b.changes = b.changes[:0]
	}
	return nil
}

func (b *bulkTx) Workspace() Workspace {
	ws := b.WriteTx.Workspace()
	ws.LastSeq += int64(len(b.changes))
	return ws
}

func (b *bulkTx) OpSeq(opID string) (int64, bool, error) {
	if s, ok := b.seqs[opID]; ok {
		return s, true, nil
	}
	if b.seqKnown[opID] {
		return 0, false, nil
	}
	if err := b.flush(); err != nil {
		return 0, false, err
	}
	return b.WriteTx.OpSeq(opID)
}

func (b *bulkTx) Rejection(opID string) (wire.Rejection, bool, error) {
	if r, ok := b.rejs[opID]; ok {
		return r, true, nil
	}
	if b.rejKnown[opID] {
		return wire.Rejection{}, false, nil
	}
	return b.WriteTx.Rejection(opID)
}

func (b *bulkTx) Reject(r wire.Rejection, device string, now time.Time) error {
	if err := b.WriteTx.Reject(r, device, now); err != nil {
		return err
	}
	if _, ok := b.rejs[r.OpID]; !ok {
		b.rejs[r.OpID], b.rejKnown[r.OpID] = r, true
	}
	return nil
}

func (b *bulkTx) Record(id string) (Record, bool, error) {
	if r, ok := b.recs[id]; ok {
		return r, true, nil
	}
	if b.recKnown[id] {
		return Record{}, false, nil
	}
	if err := b.flush(); err != nil {
		return Record{}, false, err
	}
	return b.WriteTx.Record(id)
}

func (b *bulkTx) PutRecord(r Record) error {
	b.records = append(b.records, r)
	b.recs[r.ID], b.recKnown[r.ID] = r, true
	return nil
}

func (b *bulkTx) PutField(id, field string, f Field) error {
	b.fields = append(b.fields, FieldRow{Record: id, Name: field, Field: f})
	return nil
}

func (b *bulkTx) Append(c *wire.Change, now time.Time) (int64, error) {
	if len(b.changes) > 0 && !now.Equal(b.now) {
		if err := b.flush(); err != nil {
			return 0, err
		}
	}
	b.now = now
	cc := *c
	cc.Seq = b.Workspace().LastSeq + 1
	c.Seq = cc.Seq
	b.changes = append(b.changes, &cc)
	b.seqs[cc.OpID], b.seqKnown[cc.OpID] = cc.Seq, true
	return cc.Seq, nil
}

func (b *bulkTx) Fields(id string) (map[string]Field, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	return b.WriteTx.Fields(id)
}

func (b *bulkTx) Dependents(scope string) ([]Record, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	return b.WriteTx.Dependents(scope)
}

func (b *bulkTx) ConflictsOf(id string) ([]wire.Change, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	return b.WriteTx.ConflictsOf(id)
}
