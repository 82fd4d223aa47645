package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// API keys, their usage plans (UsagePlanKey) and the usage counted per
// plan, key and day. A key's plans are rows of usage_plan_keys, whose
// foreign keys make a key's plans real ones (a key naming a missing plan
// is KindNotFound) and take the rows with the key or the plan deleted.
// Deleting a plan records ChangeUsagePlan only, though keys lose it from
// their PlanIDs: a catalog reloads its keys on a plan's change.

// keyColumns selects an API key's columns from api_keys k.
const keyColumns = `k.id, k.name, k.description, k.customer_id, k.enabled, k.hash, k.sealed,
	k.config_key, k.created_at, k.updated_at`

// keyQuery selects keys joined with their plans: one row per plan, or
// one with a NULL plan for a key in none, each key's rows together.
const keyQuery = `SELECT ` + keyColumns + `, pk.plan_id
FROM api_keys k LEFT JOIN usage_plan_keys pk ON pk.key_id = k.id`

// keyOrder keeps each key's rows together.
const keyOrder = ` ORDER BY k.id, pk.plan_id`

// scanAPIKeys reads keyQuery's rows into keys, by id, each key's
// PlanIDs sorted and never nil.
func scanAPIKeys(rows *sql.Rows) ([]*tollgate.APIKey, error) {
	defer rows.Close()
	keys := []*tollgate.APIKey{}
	var k *tollgate.APIKey
	for rows.Next() {
		var (
			r    tollgate.APIKey
			plan sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.Name, &r.Description, &r.CustomerID, &r.Enabled, &r.Hash, &r.Sealed,
			&r.ConfigKey, (*dbTime)(&r.CreatedAt), (*dbTime)(&r.UpdatedAt), &plan); err != nil {
			return nil, err
		}
		if k == nil || k.ID != r.ID {
			k = &r
			k.Hash, k.Sealed, k.PlanIDs = nonNil(k.Hash), nonNil(k.Sealed), []string{}
			keys = append(keys, k)
		}
		if plan.Valid {
			k.PlanIDs = append(k.PlanIDs, plan.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The database's collation need not be Go's order: sort as documented.
	for _, k := range keys {
		slices.Sort(k.PlanIDs)
	}
	slices.SortFunc(keys, func(a, b *tollgate.APIKey) int { return strings.Compare(a.ID, b.ID) })
	return keys, nil
}

// apiKeyMissing is the error for the key id not found.
func apiKeyMissing(id string) func() error {
	return func() error { return tollgate.Errorf(tollgate.KindNotFound, "API key %q not found", id) }
}

// keyOwner reads an API key's owner (mustAffectOwned).
const keyOwner = `SELECT config_key FROM api_keys WHERE id = $1`

// CreateAPIKey stores a new API key with its plans; KindConflict if its id
// or hash is taken, KindNotFound if one of its plans does not exist.
func (s *Store) CreateAPIKey(ctx context.Context, k *tollgate.APIKey) error {
	return s.change(ctx, "create API key "+k.ID, tollgate.Change{Kind: tollgate.ChangeAPIKey, ID: k.ID}, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, description, customer_id, enabled, hash, sealed,
				config_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			k.ID, k.Name, k.Description, k.CustomerID, k.Enabled, nonNil(k.Hash), nonNil(k.Sealed),
			k.ConfigKey, s.d.time(k.CreatedAt), s.d.time(k.UpdatedAt))
		if err != nil {
			// Never say which: the value's hash is a credential's.
			return s.constraint(err, tollgate.Errorf(tollgate.KindConflict, "an API key with id %q, or with its value, already exists", k.ID), nil)
		}
		return s.insertPlanKeys(ctx, tx, k.ID, k.PlanIDs)
	})
}

// insertPlanKeys puts the key in each of the plans (duplicates once).
func (s *Store) insertPlanKeys(ctx context.Context, tx *sql.Tx, keyID string, planIDs []string) error {
	plans := slices.Compact(slices.Sorted(slices.Values(planIDs)))
	for _, planID := range plans {
		_, err := tx.ExecContext(ctx, `INSERT INTO usage_plan_keys (key_id, plan_id) VALUES ($1, $2)`, keyID, planID)
		if err != nil {
			return s.constraint(err, nil, tollgate.Errorf(tollgate.KindNotFound, "usage plan %q not found", planID))
		}
	}
	return nil
}

// GetAPIKey returns the API key with its plans.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*tollgate.APIKey, error) {
	keys, err := s.queryAPIKeys(ctx, "get API key "+id, keyQuery+` WHERE k.id = $1`+keyOrder, id)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, apiKeyMissing(id)()
	}
	return keys[0], nil
}

// ListAPIKeys returns every API key with its plans, by id, read in one
// statement.
func (s *Store) ListAPIKeys(ctx context.Context) ([]*tollgate.APIKey, error) {
	return s.queryAPIKeys(ctx, "list API keys", keyQuery+keyOrder)
}

func (s *Store) queryAPIKeys(ctx context.Context, op, query string, args ...any) ([]*tollgate.APIKey, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(err, op)
	}
	keys, err := scanAPIKeys(rows)
	return keys, wrap(err, op)
}

// UpdateAPIKey updates the key's Name, Description, CustomerID, Enabled,
// ConfigKey and UpdatedAt and replaces its plans with PlanIDs, if its
// owner is owner's. Its value (Hash, Sealed) changes only by Reseal.
func (s *Store) UpdateAPIKey(ctx context.Context, k *tollgate.APIKey, owner tollgate.Owner) error {
	return s.change(ctx, "update API key "+k.ID, tollgate.Change{Kind: tollgate.ChangeAPIKey, ID: k.ID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET name = $2, description = $3, customer_id = $4, enabled = $5,
				config_key = $6, updated_at = $7
			WHERE id = $1 AND config_key = COALESCE($8, config_key)`,
			k.ID, k.Name, k.Description, k.CustomerID, k.Enabled, k.ConfigKey, s.d.time(k.UpdatedAt), ownerArg(owner))
		if err != nil {
			return err
		}
		if err := mustAffectOwned(ctx, tx, res, apiKeyMissing(k.ID), keyOwner, k.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM usage_plan_keys WHERE key_id = $1`, k.ID); err != nil {
			return err
		}
		return s.insertPlanKeys(ctx, tx, k.ID, k.PlanIDs)
	})
}

// DeleteAPIKey deletes the key and, by cascade, its place in plans, if
// its owner is owner's. Its usage records stay.
func (s *Store) DeleteAPIKey(ctx context.Context, id string, owner tollgate.Owner) error {
	return s.deleteOwned(ctx, "delete API key "+id, tollgate.Change{Kind: tollgate.ChangeAPIKey, ID: id},
		apiKeyMissing(id), owner, `DELETE FROM api_keys WHERE id = $1 AND config_key = COALESCE($2, config_key)`,
		keyOwner, id)
}

// planJSON is a usage plan's settings column. Fields are never renamed:
// add new ones, optional, as the column is read strictly (an unknown field
// is an error, not a setting silently lost).
type planJSON struct {
	Stages   []planStageJSON `json:"stages"`
	Throttle *throttleJSON   `json:"throttle,omitempty"`
	Quota    *quotaJSON      `json:"quota,omitempty"`
}

type planStageJSON struct {
	APIID    string                  `json:"apiId"`
	Stage    string                  `json:"stage"`
	Throttle map[string]throttleJSON `json:"throttle,omitempty"`
}

type throttleJSON struct {
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst"`
}

type quotaJSON struct {
	Limit  int64  `json:"limit"`
	Offset int64  `json:"offset"`
	Period string `json:"period"`
}

// encodePlan encodes the plan's stages, throttle and quota for its
// settings column.
func encodePlan(p *tollgate.UsagePlan) (string, error) {
	doc := planJSON{Stages: make([]planStageJSON, len(p.Stages))}
	for i, st := range p.Stages {
		doc.Stages[i] = planStageJSON{APIID: st.APIID, Stage: st.Stage}
		if len(st.Throttle) > 0 {
			doc.Stages[i].Throttle = make(map[string]throttleJSON, len(st.Throttle))
			for method, t := range st.Throttle {
				doc.Stages[i].Throttle[method] = throttleJSON(t)
			}
		}
	}
	if p.Throttle != (tollgate.Throttle{}) {
		doc.Throttle = (*throttleJSON)(&p.Throttle)
	}
	if p.Quota != nil {
		doc.Quota = &quotaJSON{Limit: p.Quota.Limit, Offset: p.Quota.Offset, Period: string(p.Quota.Period)}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode usage plan: %w", err)
	}
	return string(b), nil
}

// decodeStrict decodes one JSON value of s into v, refusing unknown
// fields and anything after the value.
func decodeStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// decodePlan sets the plan's stages, throttle and quota from its settings
// column. Stages is never nil; a stage without per-method throttles has a
// nil Throttle.
func decodePlan(p *tollgate.UsagePlan, settings string) error {
	var doc planJSON
	if err := decodeStrict(settings, &doc); err != nil {
		return fmt.Errorf("decode usage plan %s: %w", p.ID, err)
	}
	p.Stages = make([]tollgate.PlanStage, len(doc.Stages))
	for i, st := range doc.Stages {
		p.Stages[i] = tollgate.PlanStage{APIID: st.APIID, Stage: st.Stage}
		if len(st.Throttle) > 0 {
			p.Stages[i].Throttle = make(map[string]tollgate.Throttle, len(st.Throttle))
			for method, t := range st.Throttle {
				p.Stages[i].Throttle[method] = tollgate.Throttle(t)
			}
		}
	}
	if doc.Throttle != nil {
		p.Throttle = tollgate.Throttle(*doc.Throttle)
	}
	if doc.Quota != nil {
		q := &tollgate.Quota{Limit: doc.Quota.Limit, Offset: doc.Quota.Offset, Period: tollgate.QuotaPeriod(doc.Quota.Period)}
		if err := tollgate.CheckQuotaPeriod(q.Period); err != nil {
			return fmt.Errorf("decode usage plan %s: %w", p.ID, err)
		}
		p.Quota = q
	}
	return nil
}

const usagePlanColumns = `id, name, description, settings, config_key, created_at, updated_at`

func scanUsagePlan(sc scanner) (*tollgate.UsagePlan, error) {
	var (
		p        tollgate.UsagePlan
		settings string
	)
	if err := sc.Scan(&p.ID, &p.Name, &p.Description, &settings, &p.ConfigKey,
		(*dbTime)(&p.CreatedAt), (*dbTime)(&p.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := decodePlan(&p, settings); err != nil {
		return nil, err
	}
	return &p, nil
}

// usagePlanMissing is the error for the plan id not found.
func usagePlanMissing(id string) func() error {
	return func() error { return tollgate.Errorf(tollgate.KindNotFound, "usage plan %q not found", id) }
}

// usagePlanOwner reads a usage plan's owner (mustAffectOwned).
const usagePlanOwner = `SELECT config_key FROM usage_plans WHERE id = $1`

// PutUsagePlan creates the usage plan, or replaces the one with its id
// (keeping its CreatedAt) if that one's owner is owner's: the owner is
// decided in the upsert's DO UPDATE ... WHERE, so a plan adopted by a
// config meanwhile is not overwritten by hand.
func (s *Store) PutUsagePlan(ctx context.Context, p *tollgate.UsagePlan, owner tollgate.Owner) error {
	op := "put usage plan " + p.ID
	if p.Quota != nil {
		if err := tollgate.CheckQuotaPeriod(p.Quota.Period); err != nil {
			return tollgate.Errorf(tollgate.KindInvalid, "usage plan %s: quota %v", p.ID, err)
		}
	}
	settings, err := encodePlan(p)
	if err != nil {
		return wrap(err, op)
	}
	return s.change(ctx, op, tollgate.Change{Kind: tollgate.ChangeUsagePlan, ID: p.ID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO usage_plans (`+usagePlanColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
				settings = excluded.settings, config_key = excluded.config_key, updated_at = excluded.updated_at
			WHERE usage_plans.config_key = COALESCE($8, usage_plans.config_key)`,
			p.ID, p.Name, p.Description, settings, p.ConfigKey, s.d.time(p.CreatedAt), s.d.time(p.UpdatedAt), ownerArg(owner))
		if err != nil {
			return err
		}
		return mustAffectOwned(ctx, tx, res, usagePlanMissing(p.ID), usagePlanOwner, p.ID)
	})
}

// GetUsagePlan returns the usage plan with the given id.
func (s *Store) GetUsagePlan(ctx context.Context, id string) (*tollgate.UsagePlan, error) {
	return queryOne(ctx, s.read, "get usage plan "+id, scanUsagePlan, usagePlanMissing(id),
		`SELECT `+usagePlanColumns+` FROM usage_plans WHERE id = $1`, id)
}

// ListUsagePlans returns every usage plan, by id.
func (s *Store) ListUsagePlans(ctx context.Context) ([]*tollgate.UsagePlan, error) {
	plans, err := queryAll(ctx, s.read, "list usage plans", scanUsagePlan, `SELECT `+usagePlanColumns+` FROM usage_plans`)
	slices.SortFunc(plans, func(a, b *tollgate.UsagePlan) int { return strings.Compare(a.ID, b.ID) })
	return plans, err
}

// DeleteUsagePlan deletes the plan and, by cascade in the same statement,
// its keys' membership, if its owner is owner's. It records ChangeUsagePlan
// only: a catalog reloads its keys on a plan's change. The plan's usage
// records stay.
func (s *Store) DeleteUsagePlan(ctx context.Context, id string, owner tollgate.Owner) error {
	return s.deleteOwned(ctx, "delete usage plan "+id, tollgate.Change{Kind: tollgate.ChangeUsagePlan, ID: id},
		usagePlanMissing(id), owner, `DELETE FROM usage_plans WHERE id = $1 AND config_key = COALESCE($2, config_key)`,
		usagePlanOwner, id)
}

// checkDay returns KindInvalid unless day is a tollgate.UsageDay.
func checkDay(what, day string) error {
	if t, err := time.Parse(tollgate.UsageDay, day); err != nil || t.Format(tollgate.UsageDay) != day {
		return tollgate.Errorf(tollgate.KindInvalid, "%s must be a day written 2006-01-02, not %q", what, day)
	}
	return nil
}

// AddUsage adds the records' counts to the stored ones, in one
// transaction that neither moves the generation nor records a change.
// Every record is checked before anything is written. Records of one plan,
// key and day are added together, and rows are written in key order, so
// that two concurrent AddUsage calls on PostgreSQL lock their rows in the
// same order and cannot deadlock.
func (s *Store) AddUsage(ctx context.Context, records []tollgate.UsageRecord) error {
	for _, r := range records {
		if r.PlanID == "" || r.KeyID == "" {
			return tollgate.Errorf(tollgate.KindInvalid, "a usage record needs a plan id and a key id")
		}
		if r.Count < 0 {
			return tollgate.Errorf(tollgate.KindInvalid, "a usage count cannot be negative, got %d", r.Count)
		}
		if err := checkDay("a usage record's day", r.Day); err != nil {
			return err
		}
	}
	sorted := slices.SortedFunc(slices.Values(records), compareUsage)
	var sums []tollgate.UsageRecord
	for _, r := range sorted {
		if n := len(sums); n > 0 && compareUsage(sums[n-1], r) == 0 {
			sums[n-1].Count += r.Count
			continue
		}
		sums = append(sums, r)
	}
	if len(sums) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(sums, usageRowsPerStatement) {
			if err := addUsageRows(ctx, tx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "add usage")
}

// usageRowsPerStatement bounds the rows of one AddUsage statement, four
// parameters each, well below either database's limit of parameters.
const usageRowsPerStatement = 500

// addUsageRows adds rows, each of a different plan, key and day, in one
// statement: one round trip.
func addUsageRows(ctx context.Context, tx *sql.Tx, rows []tollgate.UsageRecord) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO usage_records (plan_id, key_id, day, count) VALUES `)
	args := make([]any, 0, 4*len(rows))
	for i, r := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
		args = append(args, r.PlanID, r.KeyID, r.Day, r.Count)
	}
	q.WriteString(` ON CONFLICT (plan_id, key_id, day) DO UPDATE SET count = usage_records.count + excluded.count`)
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// compareUsage orders usage records by plan, key and day.
func compareUsage(a, b tollgate.UsageRecord) int {
	return cmp.Or(strings.Compare(a.PlanID, b.PlanID), strings.Compare(a.KeyID, b.KeyID), strings.Compare(a.Day, b.Day))
}

// Usage returns the plan's records from day from to day to, inclusive, of
// the key keyID or of every key when it is empty, by key then day;
// KindInvalid when from or to is not a day.
func (s *Store) Usage(ctx context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error) {
	if err := checkDay("from", from); err != nil {
		return nil, err
	}
	if err := checkDay("to", to); err != nil {
		return nil, err
	}
	// Days of one fixed width compare as text as they do as days.
	records, err := queryAll(ctx, s.read, "read usage of plan "+planID, func(sc scanner) (tollgate.UsageRecord, error) {
		var r tollgate.UsageRecord
		err := sc.Scan(&r.PlanID, &r.KeyID, &r.Day, &r.Count)
		return r, err
	}, `SELECT plan_id, key_id, day, count FROM usage_records
		WHERE plan_id = $1 AND ($2 = '' OR key_id = $2) AND day >= $3 AND day <= $4`, planID, keyID, from, to)
	slices.SortFunc(records, compareUsage)
	return records, err
}

// tokenLimitsJSON is the token_limits column of pools and clients. Fields
// are never renamed; it is read strictly.
type tokenLimitsJSON struct {
	PerHour int64 `json:"perHour"`
	PerDay  int64 `json:"perDay"`
	// Lockout's durations are Go durations ("15m0s").
	MaxFailures     int    `json:"lockoutMaxFailures"`
	LockoutWindow   string `json:"lockoutWindow"`
	LockoutDuration string `json:"lockoutDuration"`
}

// encodeTokenLimits encodes limits for a token_limits column: NULL (nil)
// when limits is nil.
func encodeTokenLimits(limits *tollgate.TokenLimits) (any, error) {
	if limits == nil {
		return nil, nil
	}
	b, err := json.Marshal(tokenLimitsJSON{
		PerHour: limits.PerHour, PerDay: limits.PerDay, MaxFailures: limits.Lockout.MaxFailures,
		LockoutWindow: limits.Lockout.Window.String(), LockoutDuration: limits.Lockout.Duration.String(),
	})
	if err != nil {
		return nil, fmt.Errorf("encode token limits: %w", err)
	}
	return string(b), nil
}

// decodeTokenLimits decodes a token_limits column: nil for NULL.
func decodeTokenLimits(col sql.NullString) (*tollgate.TokenLimits, error) {
	if !col.Valid {
		return nil, nil
	}
	var doc tokenLimitsJSON
	if err := decodeStrict(col.String, &doc); err != nil {
		return nil, fmt.Errorf("decode token limits: %w", err)
	}
	window, err := time.ParseDuration(doc.LockoutWindow)
	if err != nil {
		return nil, fmt.Errorf("decode token limits: %w", err)
	}
	duration, err := time.ParseDuration(doc.LockoutDuration)
	if err != nil {
		return nil, fmt.Errorf("decode token limits: %w", err)
	}
	return &tollgate.TokenLimits{PerHour: doc.PerHour, PerDay: doc.PerDay,
		Lockout: tollgate.Lockout{MaxFailures: doc.MaxFailures, Window: window, Duration: duration}}, nil
}

// poolTokenLimits is a pool's TokenLimits for its column: NULL when zero,
// as a pool created before the column reads.
func poolTokenLimits(l tollgate.TokenLimits) (any, error) {
	if l == (tollgate.TokenLimits{}) {
		return nil, nil
	}
	return encodeTokenLimits(&l)
}
