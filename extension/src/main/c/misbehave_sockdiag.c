/*
 * The send queue of one TCP connection, asked of the kernel through a NETLINK_SOCK_DIAG exact
 * lookup (the interface `ss` uses), for dev.misbehave.internal.SockDiag. One request and one
 * answer per call, whatever the number of sockets on the host; no file descriptor of the
 * connection is needed, only its two addresses. Linux only; built when the build machine has gcc.
 */
#include <jni.h>

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define NOT_LISTED (-1L)
#define CANNOT_TELL (-2L)
#define TCP_LISTEN_STATE 10

static jlong query(int family, const jbyte *local, jint local_port, const jbyte *remote, jint remote_port,
        jsize length) {
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.header.nlmsg_seq = 1;
    message.request.sdiag_family = (__u8) family;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0U;
    /* the kernel looks the socket up as if a packet came from dst:dport to src:sport */
    message.request.id.idiag_sport = htons((uint16_t) local_port);
    message.request.id.idiag_dport = htons((uint16_t) remote_port);
    memcpy(message.request.id.idiag_src, local, (size_t) length);
    memcpy(message.request.id.idiag_dst, remote, (size_t) length);
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        return CANNOT_TELL;
    }
    struct timeval bound = {1, 0}; /* the kernel answers at once; never hang the caller */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    jlong result = CANNOT_TELL;
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *) &kernel, sizeof kernel) == (ssize_t) sizeof message) {
        long buffer[1024];
        ssize_t got = recv(fd, buffer, sizeof buffer, 0);
        struct nlmsghdr *answer = (struct nlmsghdr *) buffer;
        if (got > 0 && NLMSG_OK(answer, (size_t) got)) {
            if (answer->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *error = (struct nlmsgerr *) NLMSG_DATA(answer);
                result = error->error == -ENOENT ? NOT_LISTED : CANNOT_TELL;
            } else if (answer->nlmsg_type == SOCK_DIAG_BY_FAMILY
                    && answer->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                struct inet_diag_msg *socket_info = (struct inet_diag_msg *) NLMSG_DATA(answer);
                /* once the connection is gone the lookup finds the listener on the local port;
                   its wqueue is the backlog, not a send queue */
                if (socket_info->idiag_state == TCP_LISTEN_STATE
                        || socket_info->id.idiag_dport != htons((uint16_t) remote_port)
                        || socket_info->id.idiag_sport != htons((uint16_t) local_port)) {
                    result = NOT_LISTED;
                } else {
                    result = (jlong) socket_info->idiag_wqueue;
                }
            }
        }
    }
    close(fd);
    return result;
}

JNIEXPORT jlong JNICALL Java_dev_misbehave_internal_SockDiag_sendQueue0(JNIEnv *env, jclass type,
        jint family, jbyteArray local, jint local_port, jbyteArray remote, jint remote_port) {
    (void) type;
    jsize length = (*env)->GetArrayLength(env, local);
    if ((length != 4 && length != 16) || (*env)->GetArrayLength(env, remote) != length) {
        return CANNOT_TELL;
    }
    jbyte local_bytes[16];
    jbyte remote_bytes[16];
    (*env)->GetByteArrayRegion(env, local, 0, length, local_bytes);
    (*env)->GetByteArrayRegion(env, remote, 0, length, remote_bytes);
    return query(family, local_bytes, local_port, remote_bytes, remote_port, length);
}
