#!/usr/bin/env python3
"""Interop of fhctl gen / fhctl decode against tshark 4.0 as the oracle.

For each stream in a matrix (every compression, both udCompHdr modes, each
C-plane section type and extension, VLAN and untagged, Ethernet and UDP,
eAxC layouts 4/4/4/4 and 2/6/4/4, every other eCPRI message type,
concatenation):

1. tshark reports no malformed packet and no expert error;
2. every field tshark prints equals what fhctl decode prints for the same
   message, IQ samples included where tshark can decode them (none, BFP).

tshark 4.0.17 quirks handled here (ORAN.md section 10): it parses U-plane IQ
with the preference width and method even when udCompHdr is present, its
default eAxC layout is 2/6/4/4, it stops after the first O-RAN message of a
concatenated frame, and it decodes IQ values of BFP and uncompressed PRBs
only.
"""
import argparse
import json
import os
import subprocess
import sys

FAILS = []


def fail(case, msg):
    FAILS.append(f"{case}: {msg}")
    print(f"  FAIL {msg}", flush=True)


# tshark field -> how to build the expected list from one decoded message.
# Each getter returns a list of values in tshark tree order (or None to skip).

def seq(m):
    return m["ecpri"]


def sec_list(key):
    return lambda m: [s[key] for s in m["oran"].get("sections", []) if key in s]


def cplane_ext_values(m, field):
    out = []
    for s in m["oran"].get("sections", []):
        for e in s.get("extensions", []):
            v = EXT_FIELDS.get(field, lambda e: [])(e)
            out.extend(v)
    return out


def ef_list(m):
    """hf 'ef' appears per section (types 1,3,5,6), then per extension."""
    out = []
    st = m["oran"]["section_type"]
    for s in m["oran"].get("sections", []):
        if st in (1, 3, 5, 6):
            out.append(s["ef"])
        exts = s.get("extensions", [])
        for i, _ in enumerate(exts):
            out.append(1 if i + 1 < len(exts) else 0)
    return out


def beam_ids(m):
    """hf beamId: section beam IDs (types 1, 3), then ext 10 type 2 lists."""
    out = []
    for s in m["oran"].get("sections", []):
        if "beam_id" in s:
            out.append(s["beam_id"])
        for e in s.get("extensions", []):
            if e["type"] == 10 and "beam_ids" in e:
                # tshark reads the 16-bit words with the 0x7fff mask
                out.extend(e["beam_ids"])
            if e["type"] == 11:
                out.extend(b["beam_id"] for b in e["bundles"])
    return out


EXT_FIELDS = {
    "oran_fh_cus.extType": lambda e: [e["type"]],
    "oran_fh_cus.extLen": lambda e: [e["ext_len"]],
    "oran_fh_cus.bfwCompHdr_iqWidth": lambda e: [e["bfw_iq_width"] & 0xF]
    if "bfw_iq_width" in e else [],
    "oran_fh_cus.bfwCompHdr_compMeth": lambda e: [e["bfw_comp_meth"]]
    if "bfw_comp_meth" in e else [],
    "oran_fh_cus.csf": lambda e: [e["csf"]] if e["type"] == 4 else [],
    "oran_fh_cus.modcompscaler": lambda e: [e["mod_comp_scaler"]]
    if e["type"] == 4 else [],
    "oran_fh_cus.repetition": lambda e: [e["repetition"]]
    if e["type"] == 6 else [],
    "oran_fh_cus.rbgSize": lambda e: [e["rbg_size"]] if e["type"] == 6 else [],
    "oran_fh_cus.rbgMask": lambda e: [e["rbg_mask"]] if e["type"] == 6 else [],
    "oran_fh_cus.symbolMask": lambda e: [e["symbol_mask"]]
    if e["type"] in (6, 12) else [],
    "oran_fh_cus.beamGroupType": lambda e: [e["beam_group_type"]]
    if e["type"] == 10 else [],
    "oran_fh_cus.numPortc": lambda e: [e["num_portc"]]
    if e["type"] == 10 else [],
    "oran_fh_cus.disableBFWs": lambda e: [e["disable_bfws"]]
    if e["type"] == 11 else [],
    "oran_fh_cus.rad": lambda e: [e["rad"]] if e["type"] == 11 else [],
    "oran_fh_cus.numBundPrbs": lambda e: [e["num_bund_prb"]]
    if e["type"] == 11 else [],
    "oran_fh_cus.offStartPrb": lambda e: [r["off_start_prb"] for r in e["ranges"]]
    if e["type"] == 12 else [],
    "oran_fh_cus.numPrb": lambda e: [r["num_prb"] for r in e["ranges"]]
    if e["type"] == 12 else [],
}

ECPRI_FIELDS = {
    "ecpri.revision": lambda m: [m["ecpri"]["revision"]],
    "ecpri.cbit": lambda m: [int(m["ecpri"]["concatenated"])],
    "ecpri.type": lambda m: [m["ecpri"]["message_type"]],
    "ecpri.size": lambda m: [m["ecpri"]["payload_size"]],
}

MISC_FIELDS = {
    "ecpri.pcid": lambda m: [m["ecpri"]["eaxc_id"]] if m["ecpri"]["message_type"] == 1
    else [m["ecpri"]["pc_id"]] if m["ecpri"]["message_type"] == 3 else None,
    "ecpri.seqid": lambda m: [m["ecpri"]["seq_id"] << 8 | m["ecpri"]["e_bit"] << 7
                              | m["ecpri"]["subseq_id"]]
    if m["ecpri"]["message_type"] == 1
    else [m["ecpri"]["seq_id"]] if m["ecpri"]["message_type"] == 3 else None,
    "ecpri.rmaid": lambda m: [m["ecpri"]["rma_id"]] if m["ecpri"]["message_type"] == 4 else None,
    "ecpri.rw": lambda m: [m["ecpri"]["read_write"]] if m["ecpri"]["message_type"] == 4 else None,
    "ecpri.reqresp": lambda m: [m["ecpri"]["req_resp"]] if m["ecpri"]["message_type"] == 4 else None,
    "ecpri.elementid": lambda m: [m["ecpri"]["element_id"]] if m["ecpri"]["message_type"] == 4
    else [e["element_id"] for e in m["ecpri"]["elements"]] if m["ecpri"]["message_type"] == 7
    else None,
    "ecpri.length": lambda m: [m["ecpri"]["data_length"]] if m["ecpri"]["message_type"] == 4 else None,
    "ecpri.measurementid": lambda m: [m["ecpri"]["measurement_id"]] if m["ecpri"]["message_type"] == 5 else None,
    "ecpri.actiontype": lambda m: [m["ecpri"]["action_type"]] if m["ecpri"]["message_type"] == 5 else None,
    "ecpri.sec": lambda m: [m["ecpri"]["timestamp_s"]] if m["ecpri"]["message_type"] == 5 else None,
    "ecpri.nanosec": lambda m: [m["ecpri"]["timestamp_ns"]] if m["ecpri"]["message_type"] == 5 else None,
    "ecpri.compval": lambda m: [m["ecpri"]["compensation"]] if m["ecpri"]["message_type"] == 5 else None,
    "ecpri.resetid": lambda m: [m["ecpri"]["reset_id"]] if m["ecpri"]["message_type"] == 6 else None,
    "ecpri.resetcode": lambda m: [m["ecpri"]["reset_code"]] if m["ecpri"]["message_type"] == 6 else None,
    "ecpri.eventid": lambda m: [m["ecpri"]["event_id"]] if m["ecpri"]["message_type"] == 7 else None,
    "ecpri.eventtype": lambda m: [m["ecpri"]["event_type"]] if m["ecpri"]["message_type"] == 7 else None,
    "ecpri.seqnum": lambda m: [m["ecpri"]["sequence"]] if m["ecpri"]["message_type"] == 7 else None,
    "ecpri.numberfaultnotif": lambda m: [m["ecpri"]["number_of_faults"]]
    if m["ecpri"]["message_type"] == 7 else None,
    "ecpri.faultnotif": lambda m: [e["fault"] for e in m["ecpri"]["elements"]]
    if m["ecpri"]["message_type"] == 7 else None,
    "ecpri.addinfo": lambda m: [e["additional_info"] for e in m["ecpri"]["elements"]]
    if m["ecpri"]["message_type"] == 7 else None,
}


def oran_common(m):
    o = m["oran"]
    e = m["ecpri"]
    x = m["eaxc"]
    return {
        "oran_fh_cus.du_port_id": [x["du_port"]],
        "oran_fh_cus.bandsector_id": [x["band_sector"]],
        "oran_fh_cus.cc_id": [x["cc"]],
        "oran_fh_cus.ru_port_id": [x["ru_port"]],
        "oran_fh_cus.sequence_id": [e["seq_id"]],
        "oran_fh_cus.e_bit": [e["e_bit"]],
        "oran_fh_cus.subsequence_id": [e["subseq_id"]],
        "oran_fh_cus.data_direction": [1 if o["direction"] == "DL" else 0],
        "oran_fh_cus.payloadVersion": [o["payload_version"]],
        "oran_fh_cus.filterIndex": [o["filter_index"]],
        "oran_fh_cus.frameId": [o["frame_id"]],
        "oran_fh_cus.subframe_id": [o["subframe_id"]],
        "oran_fh_cus.slotId": [o["slot_id"]],
        "oran_fh_cus.startSymbolId": [o.get("start_symbol_id", o.get("symbol_id"))],
    }


def cplane_expect(m):
    o = m["oran"]
    st = o["section_type"]
    secs = o.get("sections", [])
    exp = oran_common(m)
    exp["oran_fh_cus.sectionType"] = [st]
    exp["oran_fh_cus.numberOfSections"] = [o["number_of_sections"]]
    if st in (0, 3):
        exp["oran_fh_cus.timeOffset"] = [o["time_offset"]]
        exp["oran_fh_cus.frameStructure.fft"] = [o["frame_structure"] >> 4]
        exp["oran_fh_cus.frameStructure.spacing"] = [o["frame_structure"] & 0xF]
        exp["oran_fh_cus.cpLength"] = [o["cp_length"]]
    if st in (1, 3, 5):
        w = o["ud_comp_hdr"]["iq_width"]
        exp["oran_fh_cus.udCompHdrWidth"] = [0 if w == 16 else w]
    if st == 6:
        exp["oran_fh_cus.numberOfUEs"] = [o["number_of_ues"]]
    if st != 6 and st != 7:
        exp["oran_fh_cus.sectionId"] = [s["section_id"] for s in secs]
        exp["oran_fh_cus.reMask"] = [s["re_mask"] for s in secs]
        exp["oran_fh_cus.numSymbol"] = [s["num_symbol"] for s in secs]
    if st != 7:
        exp["oran_fh_cus.rb"] = [s["rb"] for s in secs]
        exp["oran_fh_cus.symInc"] = [s["sym_inc"] for s in secs]
        exp["oran_fh_cus.startPrbc"] = [s["start_prb"] for s in secs]
        exp["oran_fh_cus.numPrbc"] = [s["num_prb"] for s in secs]
        exp["oran_fh_cus.ef"] = ef_list(m)
    exp["oran_fh_cus.beamId"] = beam_ids(m)
    exp["oran_fh_cus.ueId"] = [s["ue_id"] for s in secs if "ue_id" in s]
    exp["oran_fh_cus.freqOffset"] = [s["frequency_offset"] & 0xFFFFFF
                                     for s in secs if "frequency_offset" in s]
    exp["oran_fh_cus.regularizationFactor"] = [s["regularization_factor"]
                                               for s in secs if "regularization_factor" in s]
    for f in EXT_FIELDS:
        exp[f] = cplane_ext_values(m, f)
    return exp


def uplane_expect(m, comp, dyn):
    o = m["oran"]
    secs = o["sections"]
    exp = oran_common(m)
    exp["oran_fh_cus.sectionId"] = [s["section_id"] for s in secs]
    exp["oran_fh_cus.rb"] = [s["rb"] for s in secs]
    exp["oran_fh_cus.symInc"] = [s["sym_inc"] for s in secs]
    exp["oran_fh_cus.startPrbu"] = [s["start_prb"] for s in secs]
    exp["oran_fh_cus.numPrbu"] = [s["num_prb"] for s in secs]
    if dyn:
        exp["oran_fh_cus.udCompHdrWidth"] = [
            0 if s["ud_comp_hdr"]["iq_width"] == 16 else s["ud_comp_hdr"]["iq_width"]
            for s in secs]
        exp["oran_fh_cus.udCompHdrMeth"] = [
            METHODS.index(s["ud_comp_hdr"]["method"]) for s in secs]
    return exp


METHODS = ["none", "bfp", "block_scaling", "mu_law", "modulation",
           "bfp_selective_re", "modulation_selective_re"]
PREF_COMP = {"none": "COMP_NONE", "bfp": "COMP_BLOCK_FP",
             "bs": "COMP_BLOCK_SCALE", "mulaw": "COMP_U_LAW"}


def parse_field(s):
    if s == "":
        return []
    out = []
    for v in s.split(","):
        if v in ("True", "False"):
            out.append(1 if v == "True" else 0)
        elif v.startswith("0x"):
            out.append(int(v, 16))
        else:
            try:
                out.append(int(v))
            except ValueError:
                out.append(float(v))
    return out


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr[-2000:]}")
    return r.stdout


def tshark_prefs(layout, comp, dyn, udp):
    a, b, c, d = layout
    kind, w = comp.split(":")
    prefs = [
        f"oran_fh_cus.oran.du_port_id_bits:{a}",
        f"oran_fh_cus.oran.bandsector_id_bits:{b}",
        f"oran_fh_cus.oran.cc_id_bits:{c}",
        f"oran_fh_cus.oran.ru_port_id_bits:{d}",
        f"oran_fh_cus.oran.iq_bitwidth_up:{w}",
        f"oran_fh_cus.oran.iq_bitwidth_down:{w}",
        f"oran_fh_cus.oran.ud_comp_up:{PREF_COMP[kind]}",
        f"oran_fh_cus.oran.ud_comp_down:{PREF_COMP[kind]}",
        f"oran_fh_cus.oran.ud_comp_hdr_up:{'TRUE' if dyn else 'FALSE'}",
        f"oran_fh_cus.oran.ud_comp_hdr_down:{'TRUE' if dyn else 'FALSE'}",
    ]
    args = []
    for p in prefs:
        args += ["-o", p]
    if udp:
        args += ["-d", f"udp.port=={udp},ecpri"]
    return args


def check_case(a, name, gen_args, layout=(4, 4, 4, 4), comp="bfp:9",
               dyn=False, udp=None, iq=False, expert=True):
    print(f"case {name}", flush=True)
    pcap = os.path.join(a.workdir, name + ".pcap")
    lay = ",".join(map(str, layout))
    run([a.fhctl, "gen", "--out", pcap, "--eaxc-layout", lay, "--comp", comp,
         "--comp-hdr", "dynamic" if dyn else "static"] + gen_args +
        (["--udp", str(udp)] if udp else []))
    dec_args = [a.fhctl, "decode", "--eaxc-layout", lay,
                "--uplane-comp", "dynamic" if dyn else comp]
    if udp:
        dec_args += ["--udp-port", str(udp)]
    if iq:
        dec_args.append("--iq")
    msgs = [json.loads(line) for line in run(dec_args + [pcap]).splitlines()]
    if not msgs:
        fail(name, "fhctl decode printed nothing")
        return
    for m in msgs:
        if "error" in m:
            fail(name, f"fhctl decode error in frame {m['index']}: {m['error']}")
            return
    prefs = tshark_prefs(layout, comp, dyn, udp)

    # 1. no malformed packet, no expert error (skipped only where tshark
    # 4.0 itself cannot dissect what the spec allows)
    bad = "" if not expert else run([a.tshark, "-n", "-r", pcap] + prefs +
              ["-Y", '_ws.malformed || _ws.expert.severity >= "Error"'])
    if bad.strip():
        fail(name, "tshark reports malformed/error packets:\n" + bad[:2000])

    # 2. field by field
    fields = (list(ECPRI_FIELDS) + list(MISC_FIELDS) +
              list(oran_common_fields()) + CPLANE_ONLY + UPLANE_ONLY +
              list(EXT_FIELDS))
    fields = list(dict.fromkeys(fields))
    if iq:
        fields += ["oran_fh_cus.iSample", "oran_fh_cus.qSample",
                   "oran_fh_cus.bfwI", "oran_fh_cus.bfwQ",
                   "oran_fh_cus.ciISample", "oran_fh_cus.ciQSample"]
    cmd = [a.tshark, "-n", "-r", pcap] + prefs + ["-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=\t",
           "-e", "frame.number"]
    for f in fields:
        cmd += ["-e", f]
    rows = {}
    for line in run(cmd).splitlines():
        cols = line.split("\t")
        rows[int(cols[0])] = {f: parse_field(v) for f, v in zip(fields, cols[1:])}

    by_frame = {}
    for m in msgs:
        by_frame.setdefault(m["index"], []).append(m)
    checked = 0
    for idx, ms in sorted(by_frame.items()):
        row = rows.get(idx)
        if row is None:
            fail(name, f"tshark has no frame {idx}")
            continue
        first = ms[0]
        mt = first["ecpri"]["message_type"]
        exp = {}
        # tshark stops after the first O-RAN message of a frame; for other
        # types it lists every concatenated message
        considered = ms[:1] if mt in (0, 2) else ms
        for f, g in ECPRI_FIELDS.items():
            exp[f] = [v for m in considered for v in g(m)]
        if mt in (0, 2):
            exp.update(cplane_expect(first) if mt == 2 else uplane_expect(first, comp, dyn))
        else:
            for f, g in MISC_FIELDS.items():
                vals = [g(m) for m in considered]
                if all(v is None for v in vals):
                    continue
                exp[f] = [x for v in vals if v is not None for x in v]
        for f, want in exp.items():
            got = row.get(f, [])
            if got != want:
                fail(name, f"frame {idx} {f}: tshark {got[:12]} fhctl {want[:12]}")
                break
        if iq and mt == 0:
            check_iq(name, idx, first, row, comp)
        if iq and mt == 2:
            check_cplane_samples(name, idx, first, row)
        checked += 1
    print(f"  {checked} frames, {len(msgs)} messages compared", flush=True)


def check_iq(name, idx, m, row, comp):
    kind, w = comp.split(":")
    w = int(w)
    if kind not in ("none", "bfp"):
        return
    ours = []
    for s in m["oran"]["sections"]:
        ours.extend(s["iq"])
    ts_i, ts_q = row["oran_fh_cus.iSample"], row["oran_fh_cus.qSample"]
    theirs = []
    for i, q in zip(ts_i, ts_q):
        theirs += [i, q]
    if len(theirs) != len(ours):
        fail(name, f"frame {idx}: tshark has {len(theirs)} IQ values, fhctl {len(ours)}")
        return
    # tshark: value = c * 2^exp / 2^(w-1) / 2^15.  fhctl: BFP c << exp,
    # none c << (16 - w).
    scale = 2.0 ** (w - 1 + 15) * (2.0 ** (16 - w) if kind == "none" else 1)
    for k, (t, o) in enumerate(zip(theirs, ours)):
        if abs(t * scale - o) > 0.5 + abs(o) * 2e-6:
            fail(name, f"frame {idx} IQ value {k}: tshark {t} (x{scale:g} = {t*scale}) fhctl {o}")
            return


def interleave(i_vals, q_vals):
    out = []
    for i, q in zip(i_vals, q_vals):
        out += [i, q]
    return out


def check_cplane_samples(name, idx, m, row):
    """Extension 1 weights (tshark: c * 2^exp / 2^(w-1); fhctl: c << exp)
    and section type 6 channel samples (tshark: int16 / 0x7fff)."""
    ours_bfw, ours_ci, w = [], [], None
    for s in m["oran"].get("sections", []):
        ours_ci += s.get("ci", [])
        for e in s.get("extensions", []):
            if e["type"] == 1:
                ours_bfw += e["bfw"]
                w = e["bfw_iq_width"]
    theirs = interleave(row["oran_fh_cus.bfwI"], row["oran_fh_cus.bfwQ"])
    if ours_bfw or theirs:
        scale = 2.0 ** (w - 1) if w else 1
        if len(theirs) != len(ours_bfw) or any(
                abs(t * scale - o) > 0.5 + abs(o) * 2e-6
                for t, o in zip(theirs, ours_bfw)):
            fail(name, f"frame {idx} beamforming weights: tshark {theirs[:6]} "
                 f"(x{scale:g}) fhctl {ours_bfw[:6]}")
    theirs = interleave(row["oran_fh_cus.ciISample"], row["oran_fh_cus.ciQSample"])
    if ours_ci or theirs:
        if len(theirs) != len(ours_ci) or any(
                abs(t * 32767 - o) > 0.5 + abs(o) * 2e-6
                for t, o in zip(theirs, ours_ci)):
            fail(name, f"frame {idx} channel info samples: tshark {theirs[:6]} "
                 f"fhctl {ours_ci[:6]}")


def oran_common_fields():
    return ["oran_fh_cus.du_port_id", "oran_fh_cus.bandsector_id",
            "oran_fh_cus.cc_id", "oran_fh_cus.ru_port_id",
            "oran_fh_cus.sequence_id", "oran_fh_cus.e_bit",
            "oran_fh_cus.subsequence_id", "oran_fh_cus.data_direction",
            "oran_fh_cus.payloadVersion", "oran_fh_cus.filterIndex",
            "oran_fh_cus.frameId", "oran_fh_cus.subframe_id",
            "oran_fh_cus.slotId", "oran_fh_cus.startSymbolId"]


CPLANE_ONLY = ["oran_fh_cus.sectionType", "oran_fh_cus.numberOfSections",
               "oran_fh_cus.timeOffset", "oran_fh_cus.frameStructure.fft",
               "oran_fh_cus.frameStructure.spacing", "oran_fh_cus.cpLength",
               "oran_fh_cus.numberOfUEs", "oran_fh_cus.sectionId",
               "oran_fh_cus.reMask", "oran_fh_cus.numSymbol",
               "oran_fh_cus.rb", "oran_fh_cus.symInc",
               "oran_fh_cus.startPrbc", "oran_fh_cus.numPrbc",
               "oran_fh_cus.ef", "oran_fh_cus.beamId", "oran_fh_cus.ueId",
               "oran_fh_cus.freqOffset", "oran_fh_cus.regularizationFactor",
               "oran_fh_cus.udCompHdrWidth"]
UPLANE_ONLY = ["oran_fh_cus.startPrbu", "oran_fh_cus.numPrbu",
               "oran_fh_cus.udCompHdrMeth"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fhctl", required=True)
    p.add_argument("--tshark", default="tshark")
    p.add_argument("--workdir", required=True)
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    os.environ.setdefault("HOME", a.workdir)

    small = ["--slots", "2", "--eaxc", "2"]
    # compression x udCompHdr mode, with IQ compared where tshark decodes it
    for comp in ("bfp:9", "bfp:14", "none:16", "none:8", "bs:9", "mulaw:8"):
        for dyn in (False, True):
            check_case(a, f"comp_{comp.replace(':', '')}_{'dyn' if dyn else 'static'}",
                       small + ["--prbs", "24"], comp=comp, dyn=dyn,
                       iq=comp.split(":")[0] in ("bfp", "none"))
    # full carrier: 273 PRBs (numPrbu 0 when one section covers it all)
    check_case(a, "carrier_273_bfp9", ["--slots", "1", "--eaxc", "1"],
               comp="bfp:9", iq=True)
    check_case(a, "carrier_273_mtu1500", ["--slots", "1", "--eaxc", "1", "--mtu", "1500"],
               comp="bfp:14")
    # numerologies
    for mu in range(4):
        check_case(a, f"mu{mu}", ["--slots", str(2 << mu), "--eaxc", "1",
                                  "--prbs", "12", "--mu", str(mu)])
    # section types: 0, 1, 3 (PRACH), 5, 6 and extensions on type 1
    check_case(a, "section_types", ["--slots", "20", "--eaxc", "2", "--prbs", "48",
                                    "--prach", "--cplane-types", "0,5,6"])
    check_case(a, "extensions", ["--slots", "2", "--eaxc", "2", "--prbs", "48",
                                 "--ext", "1,4,6,10,11,12,13,20,127"])
    # tshark 4.0 does not dissect extension 5 and flags the undissected
    # bytes of any extension longer than one word as malformed: compare the
    # fields it does print, skip its expert verdict for this case only
    check_case(a, "ext5", small + ["--prbs", "48", "--ext", "5,4"], expert=False)
    check_case(a, "ext_each_1", small + ["--prbs", "48", "--ext", "1"], iq=True)
    check_case(a, "type6_ci", small + ["--prbs", "12", "--cplane-types", "6"],
               iq=True)
    check_case(a, "ext_each_11", small + ["--prbs", "100", "--ext", "11"])
    check_case(a, "ext_each_10_12", small + ["--prbs", "48", "--ext", "10,12"])
    # transport: VLAN/PCP, UDP/IPv4, layouts
    check_case(a, "vlan_pcp", small + ["--prbs", "24", "--vlan", "100", "--pcp", "6"])
    check_case(a, "udp", small + ["--prbs", "24"], udp=50000)
    check_case(a, "udp_vlan", small + ["--prbs", "24", "--vlan", "7"], udp=4991)
    check_case(a, "layout_2644", small + ["--prbs", "24", "--eaxc", "5"],
               layout=(2, 6, 4, 4))
    check_case(a, "layout_2644_vlan_dyn", small + ["--prbs", "24", "--vlan", "3"],
               layout=(2, 6, 4, 4), dyn=True, comp="bfp:14", iq=True)
    # every other eCPRI message type, alone and concatenated
    check_case(a, "ecpri_misc", ["--slots", "40", "--eaxc", "1", "--prbs", "6",
                                 "--ecpri-misc"])
    check_case(a, "ecpri_concat", ["--slots", "40", "--eaxc", "1", "--prbs", "6",
                                   "--concat"])
    check_case(a, "ecpri_concat_udp", ["--slots", "20", "--eaxc", "1", "--prbs", "6",
                                       "--concat"], udp=50000)

    if FAILS:
        print(f"\n{len(FAILS)} failure(s):")
        for f in FAILS:
            print("  " + f)
        return 1
    print("\ntshark interop: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
