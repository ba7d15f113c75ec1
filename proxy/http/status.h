/* Reason phrases for status codes (RFC 9110 §15). */
#ifndef HF_STATUS_H
#define HF_STATUS_H

/* A short reason phrase for a status code; "Unknown" for others. */
const char *hf_status_text(int status);

#endif
