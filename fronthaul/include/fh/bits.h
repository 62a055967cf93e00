/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_BITS_H
#define FH_BITS_H

#include <stdint.h>

/* Big-endian wire accessors on byte pointers: no bitfields, no alignment
 * assumptions, usable on any buffer. */
static inline uint16_t fh_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fh_get_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t fh_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t fh_get_be48(const uint8_t *p)
{
	return (uint64_t)fh_get_be16(p) << 32 | fh_get_be32(p + 2);
}

static inline uint64_t fh_get_be64(const uint8_t *p)
{
	return (uint64_t)fh_get_be32(p) << 32 | fh_get_be32(p + 4);
}

static inline void fh_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fh_put_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void fh_put_be32(uint8_t *p, uint32_t v)
{
	fh_put_be16(p, (uint16_t)(v >> 16));
	fh_put_be16(p + 2, (uint16_t)v);
}

static inline void fh_put_be48(uint8_t *p, uint64_t v)
{
	fh_put_be16(p, (uint16_t)(v >> 32));
	fh_put_be32(p + 2, (uint32_t)v);
}

static inline void fh_put_be64(uint8_t *p, uint64_t v)
{
	fh_put_be32(p, (uint32_t)(v >> 32));
	fh_put_be32(p + 4, (uint32_t)v);
}

#endif
