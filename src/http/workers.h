/*
 * workers.h - a small pool of threads for request handlers that block:
 * password hashing (tens of milliseconds by design) and mail.  The
 * server's event threads hand such requests over (suspending their
 * connection) so that one slow login never holds up other clients.
 */
#ifndef GANYMEDE_HTTP_WORKERS_H
#define GANYMEDE_HTTP_WORKERS_H

#include <pthread.h>
#include <stdbool.h>

#include "base/status.h"

#define WORKERS_MAX 64

/* One job; the memory is the submitter's and must live until it ran. */
struct work {
    struct work *next;
    void (*run)(void *arg);
    void *arg;
};

struct workers {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct work *head;
    struct work *tail;
    pthread_t threads[WORKERS_MAX];
    int count;
    bool stopping;
};

enum status workers_start(struct workers *workers, int count,
                          struct error *err);

/* Queue a job; false once the pool is stopping. */
bool workers_submit(struct workers *workers, struct work *work);

/* Run what is queued, then end the threads. */
void workers_stop(struct workers *workers);

#endif
