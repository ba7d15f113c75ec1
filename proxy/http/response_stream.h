/* What a response's head says about how it may be relayed: whether the
 * backend asked for it to reach the client unbuffered, and which fields
 * are addressed to the proxy alone. */
#ifndef HF_RESPONSE_STREAM_H
#define HF_RESPONSE_STREAM_H

#include <stdbool.h>

#include "head.h"
#include "response.h"

/* True if the backend asked that its response go out as it comes, with no
 * wait: "X-Accel-Buffering: no", which nginx honours and apps that stream
 * (server-sent events, progress reports) send. The last such field
 * decides, as in nginx; any value other than "no" keeps the default. */
bool hf_response_unbuffered(const hf_response_t *res);

/* True for a field meant for the proxy in front and never relayed to the
 * client: X-Accel-Buffering (nginx hides it too). */
bool hf_response_field_for_proxy(const hf_head_t *h, const hf_field_t *f);

#endif
