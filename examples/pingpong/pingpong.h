/*
 * pingpong.h: the protocol the client and server agree on. Microkit does not
 * interpret labels or message registers; the two PDs just have to agree.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

/* Channel ids, each as seen by its own PD (see pingpong.system). */
#define CLIENT_TO_SERVER 1
#define SERVER_TO_CLIENT 2

/* Protected procedure "add": MR0 + MR1 -> MR0. */
#define PINGPONG_ADD 1
/* Reply labels. */
#define PINGPONG_OK 0
#define PINGPONG_BAD_REQUEST 1

#endif /* PINGPONG_H */
