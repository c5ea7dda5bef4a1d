/*
 * workers.c - a queue and the threads that drain it.
 */
#include "http/workers.h"

#include <string.h>

static void *
workers_main(void *arg)
{
    struct workers *workers = arg;
    struct work *work;

    for (;;) {
        pthread_mutex_lock(&workers->lock);
        while (workers->head == NULL && !workers->stopping) {
            pthread_cond_wait(&workers->ready, &workers->lock);
        }
        work = workers->head;
        if (work == NULL) {
            /* Stopping, and nothing left to run. */
            pthread_mutex_unlock(&workers->lock);
            return NULL;
        }
        workers->head = work->next;
        if (workers->head == NULL) {
            workers->tail = NULL;
        }
        pthread_mutex_unlock(&workers->lock);

        work->run(work->arg);
    }
}

enum status
workers_start(struct workers *workers, int count, struct error *err)
{
    memset(workers, 0, sizeof(*workers));
    pthread_mutex_init(&workers->lock, NULL);
    pthread_cond_init(&workers->ready, NULL);

    if (count < 1 || count > WORKERS_MAX) {
        return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                         "workers must be between 1 and %d", WORKERS_MAX);
    }
    for (; workers->count < count; workers->count++) {
        if (pthread_create(&workers->threads[workers->count], NULL,
                           workers_main, workers) != 0) {
            workers_stop(workers);
            return error_set(err, STATUS_NOMEM, NULL,
                             "could not start the worker threads");
        }
    }
    return STATUS_OK;
}

bool
workers_submit(struct workers *workers, struct work *work)
{
    bool queued = false;

    work->next = NULL;
    pthread_mutex_lock(&workers->lock);
    if (!workers->stopping) {
        if (workers->tail != NULL) {
            workers->tail->next = work;
        } else {
            workers->head = work;
        }
        workers->tail = work;
        queued = true;
        pthread_cond_signal(&workers->ready);
    }
    pthread_mutex_unlock(&workers->lock);
    return queued;
}

void
workers_stop(struct workers *workers)
{
    pthread_mutex_lock(&workers->lock);
    workers->stopping = true;
    pthread_cond_broadcast(&workers->ready);
    pthread_mutex_unlock(&workers->lock);

    for (int i = 0; i < workers->count; i++) {
        pthread_join(workers->threads[i], NULL);
    }
    workers->count = 0;
    pthread_cond_destroy(&workers->ready);
    pthread_mutex_destroy(&workers->lock);
}
