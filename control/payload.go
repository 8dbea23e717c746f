package control

import (
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func decodePayload(p *commonpb.Payload, into any) error {
	return converter.GetDefaultDataConverter().FromPayload(p, into)
}
