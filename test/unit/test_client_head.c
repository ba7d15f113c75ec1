/* The client's response head (proxy/http/client_head.c) from plain
 * inputs: a parsed backend response, the client's version, keep-alive. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client_head.h"
#include "response.h"

/* Parses text into *res as the upstream does (res holds pointers into
 * itself: never copied). complete: feed the EOF too. */
static void parse(hf_response_t *res, const char *text, bool head_req,
                  bool eof)
{
    CHECK(hf_response_init(res, head_req, 1 << 16) == 0);
    CHECK(hf_response_feed(res, text, strlen(text)) == HF_RES_OK);
    if (eof)
        CHECK(hf_response_eof(res) == HF_RES_OK);
    CHECK(res->head_done);
}

static char *head(const hf_response_t *res, int minor, bool keep,
                  hf_client_head_framing_t *fr)
{
    hf_client_head_in_t in = {.res = res, .client_minor = minor,
                              .keep_alive = keep};
    char *buf = malloc(hf_client_head_size(res) + 1);
    size_t n = hf_client_head_write(&in, buf, fr);

    CHECK(n <= hf_client_head_size(res));
    buf[n] = '\0';
    return buf;
}

static void test_length_known(void)
{
    hf_response_t res;
    hf_client_head_framing_t fr;
    char *h;

    parse(&res, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Foo\r\n"
                "Foo: drop\r\nKeep-Alive: timeout=5\r\nX-A: keep\r\n\r\nhel",
          false, false);
    h = head(&res, 1, true, &fr);
    CHECK(strncmp(h, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(h, "Content-Length: 5\r\n") != NULL);
    CHECK(strstr(h, "X-A: keep\r\n") != NULL);
    CHECK(strstr(h, "Foo: drop") == NULL && strstr(h, "Keep-Alive") == NULL);
    CHECK(strstr(h, "Connection") == NULL);
    CHECK(!fr.chunked && !fr.close_after);
    CHECK(strcmp(h + strlen(h) - 4, "\r\n\r\n") == 0);
    free(h);
    /* To a 1.0 client that keeps the connection: said so. */
    h = head(&res, 0, true, &fr);
    CHECK(strncmp(h, "HTTP/1.0 200 OK\r\n", 17) == 0);
    CHECK(strstr(h, "Connection: keep-alive\r\n") != NULL);
    free(h);
    hf_response_free(&res);
}

static void test_length_unknown(void)
{
    hf_response_t res;
    hf_client_head_framing_t fr;
    char *h;

    parse(&res, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\n", false, false);
    h = head(&res, 1, true, &fr);
    CHECK(fr.chunked && !fr.close_after);
    CHECK(strstr(h, "Transfer-Encoding: chunked\r\n") != NULL);
    CHECK(strstr(h, "Content-Length") == NULL);
    free(h);
    /* A 1.0 client: close-delimited. */
    h = head(&res, 0, true, &fr);
    CHECK(!fr.chunked && fr.close_after);
    CHECK(strstr(h, "Connection: close\r\n") != NULL);
    CHECK(strstr(h, "Transfer-Encoding") == NULL);
    free(h);
    hf_response_free(&res);
    /* Once the whole body is in, its length is known. */
    parse(&res, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\n0\r\n\r\n", false, false);
    CHECK(res.complete);
    h = head(&res, 1, false, &fr);
    CHECK(strstr(h, "Content-Length: 3\r\n") != NULL);
    CHECK(!fr.chunked && fr.close_after);
    CHECK(strstr(h, "Connection: close\r\n") != NULL);
    free(h);
    hf_response_free(&res);
}

static void test_no_body(void)
{
    hf_response_t res;
    hf_client_head_framing_t fr;
    char *h;

    parse(&res, "HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n",
          false, false);
    h = head(&res, 1, true, &fr);
    CHECK(strstr(h, "Content-Length: 42\r\n") != NULL);
    CHECK(!fr.chunked && !fr.close_after);
    free(h);
    hf_response_free(&res);
    parse(&res, "HTTP/1.1 204 No Content\r\n\r\n", false, false);
    h = head(&res, 1, true, &fr);
    CHECK(strstr(h, "Content-Length") == NULL && !fr.chunked);
    free(h);
    hf_response_free(&res);
    /* HEAD: the length the GET would have, no body. */
    parse(&res, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", true, false);
    h = head(&res, 1, true, &fr);
    CHECK(strstr(h, "Content-Length: 9\r\n") != NULL && !fr.chunked);
    free(h);
    hf_response_free(&res);
    /* No reason phrase: holdfast's own. */
    parse(&res, "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", false, false);
    h = head(&res, 1, true, &fr);
    CHECK(strncmp(h, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
    free(h);
    hf_response_free(&res);
}

int main(void)
{
    test_length_known();
    test_length_unknown();
    test_no_body();
    return CHECK_DONE();
}
