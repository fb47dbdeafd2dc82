#include "collect/tw_owner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/array.h"

static const uint8_t v4_mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };

static struct tw_ep endpoint(const struct sock_entry *s, int remote)
{
	const uint8_t *a = remote ? s->dst : s->src;
	struct tw_ep e;

	memset(&e, 0, sizeof(e));
	e.port = remote ? s->dport : s->sport;
	if (s->family == AF_INET) {
		e.v4 = 1;
		memcpy(e.addr, a, 4);
	} else if (!memcmp(a, v4_mapped_prefix, sizeof(v4_mapped_prefix))) {
		e.v4 = 1;
		memcpy(e.addr, a + 12, 4);
	} else {
		memcpy(e.addr, a, 16);
	}
	return e;
}

static bool addr_is_zero(const struct tw_ep *e)
{
	static const uint8_t zero[16];

	return !memcmp(e->addr, zero, sizeof(zero));
}

static bool addr_is_loopback(const struct tw_ep *e)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	return e->v4 ? e->addr[0] == 127 : !memcmp(e->addr, v6_loopback, sizeof(v6_loopback));
}

static bool same_addr(const struct tw_ep *a, const struct tw_ep *b)
{
	return a->v4 == b->v4 && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int ep_cmp(const void *pa, const void *pb)
{
	const struct tw_ep *a = pa, *b = pb;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->v4 != b->v4)
		return a->v4 < b->v4 ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int listener_cmp(const void *pa, const void *pb)
{
	return ep_cmp(&((const struct tw_listener *)pa)->ep, &((const struct tw_listener *)pb)->ep);
}

static int add_local(struct tw_census *c, const struct tw_ep *e)
{
	struct tw_ep a = *e;

	if (addr_is_zero(&a) || c->n_locals >= TW_LOCALS_MAX)
		return 0;
	a.port = 0;
	/* Few distinct addresses, and most sockets share the last one seen. */
	for (size_t i = c->n_locals; i-- > 0;)
		if (same_addr(&c->locals[i], &a))
			return 0;
	if (array_reserve(&c->locals, &c->cap_locals, c->n_locals, sizeof(*c->locals), 8) < 0)
		return -ENOMEM;
	c->locals[c->n_locals++] = a;
	return 0;
}

int tw_census_note(struct tw_census *c, const struct sock_entry *s, bool target)
{
	struct tw_ep local = endpoint(s, 0);

	if (add_local(c, &local) < 0)
		return -ENOMEM;
	switch (s->state) {
	case TCPS_TIME_WAIT:
		if (array_reserve(&c->tw, &c->cap_tw, c->n_tw + 1, sizeof(*c->tw), 1024) < 0)
			return -ENOMEM;
		c->tw[c->n_tw++] = local;
		c->tw[c->n_tw++] = endpoint(s, 1);
		return 0;
	case TCPS_LISTEN:
		if (array_reserve(&c->listeners, &c->cap_listeners, c->n_listeners, sizeof(*c->listeners), 16) < 0)
			return -ENOMEM;
		c->listeners[c->n_listeners].ep = local;
		c->listeners[c->n_listeners].target = target;
		c->listeners[c->n_listeners].wildcard = addr_is_zero(&local);
		c->n_listeners++;
		return 0;
	case TCPS_ESTABLISHED:
		/* Accepted sockets are told from outbound ones at the end, when
		 * every listener is known: keep them all for now. */
		if (!target)
			return 0;
		if (array_reserve(&c->dests, &c->cap_dests, c->n_dests + 1, sizeof(*c->dests), 64) < 0)
			return -ENOMEM;
		c->dests[c->n_dests++] = local;
		c->dests[c->n_dests++] = endpoint(s, 1);
		return 0;
	default:
		return 0;
	}
}

/* Whether a listener of the wanted owner accepts at e (listeners sorted). */
static bool listener_at(const struct tw_census *c, const struct tw_ep *e, bool target)
{
	size_t lo = 0, hi = c->n_listeners;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->listeners[mid].ep.port < e->port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->n_listeners && c->listeners[i].ep.port == e->port; i++) {
		const struct tw_listener *l = &c->listeners[i];

		if (l->target != target)
			continue;
		/* 0.0.0.0 takes IPv4 (and IPv4-mapped) connections; [::] takes
		 * both unless IPV6_V6ONLY, which the census does not show. */
		if (l->wildcard ? (!l->ep.v4 || e->v4) : same_addr(&l->ep, e))
			return true;
	}
	return false;
}

static bool is_this_host(const struct tw_census *c, const struct tw_ep *e)
{
	if (addr_is_loopback(e))
		return true;
	for (size_t i = 0; i < c->n_locals; i++)
		if (same_addr(&c->locals[i], e))
			return true;
	return false;
}

/* Keeps the remote ends of the target's ESTABLISHED sockets that are not
 * accepted ones (whose local end is a target listener), sorted. */
static void outbound_dests(struct tw_census *c)
{
	size_t k = 0;

	for (size_t i = 0; i + 1 < c->n_dests; i += 2)
		if (!listener_at(c, &c->dests[i], true))
			c->dests[k++] = c->dests[i + 1];
	c->n_dests = k;
	if (k)
		qsort(c->dests, k, sizeof(*c->dests), ep_cmp);
}

void tw_census_split(struct tw_census *c, const struct opt_i64 *port_lo, const struct opt_i64 *port_hi,
		     struct tw_split *ret)
{
	bool range = port_lo && port_hi && port_lo->set && port_hi->set && port_lo->v <= port_hi->v;

	memset(ret, 0, sizeof(*ret));
	ret->set = true;
	if (!c->split_done) {
		if (c->n_listeners)
			qsort(c->listeners, c->n_listeners, sizeof(*c->listeners), listener_cmp);
		outbound_dests(c);
		c->split_done = true;
	}
	for (size_t i = 0; i + 1 < c->n_tw; i += 2) {
		const struct tw_ep *local = &c->tw[i], *remote = &c->tw[i + 1];
		bool ephemeral = !range || (local->port >= port_lo->v && local->port <= port_hi->v);

		if (listener_at(c, local, true))
			ret->service_inbound++;
		else if (ephemeral && c->n_dests && bsearch(remote, c->dests, c->n_dests, sizeof(*c->dests), ep_cmp))
			ret->service_outbound++;
		else if (listener_at(c, remote, true) && is_this_host(c, remote))
			ret->clients_of_service++;
		else if (listener_at(c, local, false))
			ret->other_servers++;
		else
			ret->unattributed++;
	}
}

void tw_census_release(struct tw_census *c)
{
	free(c->tw);
	free(c->listeners);
	free(c->dests);
	free(c->locals);
	memset(c, 0, sizeof(*c));
}
