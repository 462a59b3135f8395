/* ppcall.h: the protocol between client and server (labels and MR use). */
#ifndef PPCALL_H
#define PPCALL_H

#define SERVER_CHANNEL 0 /* the client's end */

/* Request "stats": MR0..MR(n-1) hold n numbers. The reply (label STATS_OK)
 * has five MRs: sum, minimum, maximum, count and the request label echoed. */
#define STATS_REQUEST 7
#define STATS_OK 1
#define STATS_BAD 2
#define STATS_REPLY_MRS 5

#endif
