package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/e2e/keysdata"
)

// TestKeys runs custom identifiers and sort-key conditions, single and
// composite, through a client generated from amplify_outputs.json alone
// (e2e/keysdata: no AppSync schema given, the generator synthesized it).
func TestKeys(t *testing.T) {
	each(t, "keys", nil, nil, func(t *testing.T, e *env) {
		ctx := context.Background()
		c, err := keysdata.New(e.outputs, e.opts(client.WithAPIKey(e.apiKey))...)
		require.NoError(t, err)

		t.Run("an Int sort key", func(t *testing.T) {
			for _, r := range []struct {
				dev string
				seq int
			}{{"d1", 1}, {"d1", 2}, {"d1", 3}, {"d1", 4}, {"d1", 5}, {"d2", 1}, {"d2", 2}} {
				_, err := c.Models.Reading.Create(ctx, keysdata.CreateReadingInput{DeviceID: r.dev, Seq: r.seq, Value: float64(r.seq) / 2})
				require.NoError(t, err)
			}
			got, err := c.Models.Reading.Get(ctx, keysdata.ReadingIdentifier{DeviceID: "d1", Seq: 3})
			require.NoError(t, err)
			assert.Equal(t, 1.5, got.Value)

			seqs := func(o keysdata.ReadingListOptions) []int {
				t.Helper()
				var out []int
				for r, err := range c.Models.Reading.ListAll(ctx, o) {
					require.NoError(t, err)
					out = append(out, r.Seq)
				}
				return out
			}
			assert.Equal(t, []int{2, 3, 4}, seqs(keysdata.ReadingListOptions{DeviceID: client.Ptr("d1"), Seq: &keysdata.ModelIntKeyConditionInput{Between: []int{2, 4}}}))
			desc := keysdata.ModelSortDirectionDesc
			assert.Equal(t, []int{5, 4}, seqs(keysdata.ReadingListOptions{DeviceID: client.Ptr("d1"), Seq: &keysdata.ModelIntKeyConditionInput{Gt: client.Ptr(3)}, SortDirection: &desc}))
			assert.Equal(t, []int{1, 2}, seqs(keysdata.ReadingListOptions{DeviceID: client.Ptr("d2"), Limit: client.Ptr(1)}))

			// The same key again is refused.
			_, err = c.Models.Reading.Create(ctx, keysdata.CreateReadingInput{DeviceID: "d1", Seq: 3, Value: 9})
			requireGraphQLError(t, err, "DynamoDB:ConditionalCheckFailedException")
		})

		t.Run("a composite sort key", func(t *testing.T) {
			day := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
			type key struct {
				wh    string
				hour  int
				batch int
			}
			for _, k := range []key{{"W1", 0, 1}, {"W1", 0, 2}, {"W1", 2, 1}, {"W2", 1, 1}, {"W10", 0, 1}} {
				_, err := c.Models.Shipment.Create(ctx, keysdata.CreateShipmentInput{
					Tenant: "t1", Warehouse: k.wh, ShippedAt: day.Add(time.Duration(k.hour) * time.Hour), Batch: k.batch,
					Region: client.Ptr(keysdata.RegionEu),
				})
				require.NoError(t, err)
			}
			got, err := c.Models.Shipment.Get(ctx, keysdata.ShipmentIdentifier{Tenant: "t1", Warehouse: "W1", ShippedAt: day.Add(2 * time.Hour), Batch: 1})
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, keysdata.RegionEu, *got.Region)

			list := func(cond *keysdata.ModelShipmentPrimaryCompositeKeyConditionInput) []key {
				t.Helper()
				var out []key
				for s, err := range c.Models.Shipment.ListAll(ctx, keysdata.ShipmentListOptions{Tenant: client.Ptr("t1"), WarehouseShippedAtBatch: cond}) {
					require.NoError(t, err)
					out = append(out, key{s.Warehouse, int(s.ShippedAt.Sub(day).Hours()), s.Batch})
				}
				return out
			}
			// The sort key is the string "<warehouse>#<shippedAt>#<batch>":
			// beginsWith on the first part alone matches "W1" and "W10",
			// on the first two the shipments of W1 at that time.
			assert.Equal(t, []key{{"W1", 0, 1}, {"W1", 0, 2}, {"W1", 2, 1}, {"W10", 0, 1}}, list(&keysdata.ModelShipmentPrimaryCompositeKeyConditionInput{
				BeginsWith: &keysdata.ModelShipmentPrimaryCompositeKeyInput{Warehouse: client.Ptr("W1")}}))
			assert.Equal(t, []key{{"W1", 0, 1}, {"W1", 0, 2}}, list(&keysdata.ModelShipmentPrimaryCompositeKeyConditionInput{
				BeginsWith: &keysdata.ModelShipmentPrimaryCompositeKeyInput{Warehouse: client.Ptr("W1"), ShippedAt: client.Ptr(day)}}))
			assert.Equal(t, []key{{"W1", 0, 2}}, list(&keysdata.ModelShipmentPrimaryCompositeKeyConditionInput{
				Eq: &keysdata.ModelShipmentPrimaryCompositeKeyInput{Warehouse: client.Ptr("W1"), ShippedAt: client.Ptr(day), Batch: client.Ptr(2)}}))
			assert.Equal(t, []key{{"W1", 0, 1}, {"W1", 0, 2}, {"W1", 2, 1}, {"W10", 0, 1}}, list(&keysdata.ModelShipmentPrimaryCompositeKeyConditionInput{
				Between: []keysdata.ModelShipmentPrimaryCompositeKeyInput{{Warehouse: client.Ptr("W1")}, {Warehouse: client.Ptr("W10"), ShippedAt: client.Ptr(day), Batch: client.Ptr(9)}}}))
			assert.Len(t, list(nil), 5)
		})
	})
}
