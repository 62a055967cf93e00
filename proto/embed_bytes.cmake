# cmake -DIN=file -DOUT=file.c -P embed_bytes.cmake
# Writes IN as `const uint8_t fh_descriptor_set[]` + its length.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR n "${nhex} / 2")
# 16 bytes a line
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n\t" bytes "${bytes}")
file(WRITE ${OUT}.tmp
"/* Generated from ${IN} by proto/embed_bytes.cmake. */
#include <stddef.h>
#include <stdint.h>

extern const uint8_t fh_descriptor_set[];
extern const size_t fh_descriptor_set_len;

const uint8_t fh_descriptor_set[${n} + 1] = {
\t${bytes}0x00
};
const size_t fh_descriptor_set_len = ${n};
")
file(RENAME ${OUT}.tmp ${OUT})
