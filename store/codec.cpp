#include "store/codec.h"

#include <optional>

namespace jim::store::codec {
namespace {

// Varints (LEB128) keep values compact; signed values are zigzag-encoded.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {
    out_->clear();
    out_->push_back(static_cast<char>(kFormatV1));
  }
  void U64(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void I64(int64_t v) { U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Bool(bool b) { out_->push_back(b ? 1 : 0); }
  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Str(std::string_view s) {
    U64(s.size());
    out_->append(s);
  }
  void OptStr(const std::optional<std::string>& s) {
    Bool(s.has_value());
    if (s) Str(*s);
  }
  void OptI64(const std::optional<int64_t>& v) {
    Bool(v.has_value());
    if (v) I64(*v);
  }

 private:
  std::string* out_;
};

class Reader {
 public:
  // Accepts only the versions this build knows; anything else fails the whole decode.
  explicit Reader(std::string_view in) : in_(in) {
    if (in_.empty() || static_cast<uint8_t>(in_[0]) != kFormatV1) {
      ok_ = false;
    } else {
      pos_ = 1;
    }
  }
  bool U64(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (!ok_ || pos_ >= in_.size()) return ok_ = false;
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return ok_ = false;
  }
  bool I64(int64_t* v) {
    uint64_t u;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool I32(int32_t* v) {
    int64_t w;
    if (!I64(&w) || w < INT32_MIN || w > INT32_MAX) return ok_ = false;
    *v = static_cast<int32_t>(w);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (!ok_ || pos_ >= in_.size()) return ok_ = false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Bool(bool* b) {
    uint8_t x;
    if (!Byte(&x) || x > 1) return ok_ = false;
    *b = x == 1;
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!U64(&n) || n > in_.size() - pos_) return ok_ = false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool OptStr(std::optional<std::string>* s) {
    bool has;
    if (!Bool(&has)) return false;
    if (!has) {
      s->reset();
      return true;
    }
    s->emplace();
    return Str(&**s);
  }
  bool OptI64(std::optional<int64_t>* v) {
    bool has;
    if (!Bool(&has)) return false;
    if (!has) {
      v->reset();
      return true;
    }
    int64_t x;
    if (!I64(&x)) return false;
    *v = x;
    return true;
  }
  // True when every read succeeded and nothing is left over.
  bool Done() const { return ok_ && pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Frozen bit positions of the capability flags.
uint32_t CapsToBits(const core::Capabilities& c) {
  const bool flags[] = {c.full_import,          c.delta_import,
                        c.export_,              c.partitions,
                        c.partition_containers, c.file_paths,
                        c.paging,               c.secondary_external_id,
                        c.user_selected_external_id, c.user_selected_attribute_types,
                        c.auto_confirm_export,  c.parallel_export,
                        c.password_set,         c.password_policy_discovery};
  uint32_t bits = 0;
  for (size_t i = 0; i < std::size(flags); ++i)
    if (flags[i]) bits |= 1u << i;
  return bits;
}
bool BitsToCaps(uint64_t bits, core::Capabilities* c) {
  if (bits >> 14) return false;
  bool* flags[] = {&c->full_import,          &c->delta_import,
                   &c->export_,              &c->partitions,
                   &c->partition_containers, &c->file_paths,
                   &c->paging,               &c->secondary_external_id,
                   &c->user_selected_external_id, &c->user_selected_attribute_types,
                   &c->auto_confirm_export,  &c->parallel_export,
                   &c->password_set,         &c->password_policy_discovery};
  for (size_t i = 0; i < std::size(flags); ++i) *flags[i] = (bits >> i) & 1;
  return true;
}

}  // namespace

void Encode(const core::ConnectorDefinition& v, std::string* out) {
  Writer w(out);
  w.I64(v.id);
  w.Str(v.name);
  w.Str(v.description);
  w.Bool(v.built_in);
  w.I64(v.created);
  w.I64(v.last_updated);
  w.U64(CapsToBits(v.capabilities));
}
bool Decode(std::string_view in, core::ConnectorDefinition* v) {
  Reader r(in);
  uint64_t bits = 0;
  return r.I64(&v->id) && r.Str(&v->name) && r.Str(&v->description) && r.Bool(&v->built_in) &&
         r.I64(&v->created) && r.I64(&v->last_updated) && r.U64(&bits) && BitsToCaps(bits, &v->capabilities) &&
         r.Done();
}

void Encode(const core::ConnectedSystem& v, std::string* out) {
  Writer w(out);
  w.I64(v.id);
  w.Str(v.name);
  w.Str(v.description);
  w.I64(v.connector_id);
  w.I64(v.created);
  w.I64(v.last_updated);
}
bool Decode(std::string_view in, core::ConnectedSystem* v) {
  Reader r(in);
  return r.I64(&v->id) && r.Str(&v->name) && r.Str(&v->description) && r.I64(&v->connector_id) &&
         r.I64(&v->created) && r.I64(&v->last_updated) && r.Done();
}

void Encode(const core::Partition& v, std::string* out) {
  Writer w(out);
  w.I64(v.id);
  w.I64(v.connected_system_id);
  w.Str(v.name);
  w.OptStr(v.external_id);
  w.Bool(v.selected);
}
bool Decode(std::string_view in, core::Partition* v) {
  Reader r(in);
  return r.I64(&v->id) && r.I64(&v->connected_system_id) && r.Str(&v->name) && r.OptStr(&v->external_id) &&
         r.Bool(&v->selected) && r.Done();
}

void Encode(const core::RunProfile& v, std::string* out) {
  Writer w(out);
  w.I64(v.id);
  w.I64(v.connected_system_id);
  w.Str(v.name);
  w.Byte(static_cast<uint8_t>(v.run_type));
  w.I64(v.page_size);
  w.OptI64(v.partition_id);
  w.OptStr(v.file_path);
  w.Bool(v.verify_import_content_hashes);
  w.U64(v.revision);
  w.I64(v.created);
  w.I64(v.last_updated);
}
bool Decode(std::string_view in, core::RunProfile* v) {
  Reader r(in);
  uint8_t type = 0;
  if (!(r.I64(&v->id) && r.I64(&v->connected_system_id) && r.Str(&v->name) && r.Byte(&type))) return false;
  if (type < static_cast<uint8_t>(core::RunType::kFullImport) || type > static_cast<uint8_t>(core::RunType::kExport))
    return false;
  v->run_type = static_cast<core::RunType>(type);
  return r.I32(&v->page_size) && r.OptI64(&v->partition_id) && r.OptStr(&v->file_path) &&
         r.Bool(&v->verify_import_content_hashes) && r.U64(&v->revision) && r.I64(&v->created) &&
         r.I64(&v->last_updated) && r.Done();
}

void Encode(const core::ApiKey& v, std::string* out) {
  Writer w(out);
  w.Str(v.id);
  w.Str(v.name);
  w.Str(v.description);
  w.Str(v.digest_hex);
  w.Str(v.key_prefix);
  w.I64(v.created_at);
  w.OptI64(v.expires_at);
  w.OptI64(v.last_used_at);
  w.Bool(v.enabled);
  w.Bool(v.infrastructure);
  w.U64(v.role_ids.size());
  for (int role : v.role_ids) w.I64(role);
}
bool Decode(std::string_view in, core::ApiKey* v) {
  Reader r(in);
  uint64_t roles = 0;
  if (!(r.Str(&v->id) && r.Str(&v->name) && r.Str(&v->description) && r.Str(&v->digest_hex) &&
        r.Str(&v->key_prefix) && r.I64(&v->created_at) && r.OptI64(&v->expires_at) &&
        r.OptI64(&v->last_used_at) && r.Bool(&v->enabled) && r.Bool(&v->infrastructure) && r.U64(&roles)))
    return false;
  if (roles > in.size()) return false;  // each role takes at least one byte
  v->role_ids.clear();
  for (uint64_t i = 0; i < roles; ++i) {
    int32_t role;
    if (!r.I32(&role)) return false;
    v->role_ids.push_back(role);
  }
  return r.Done();
}

void Encode(const core::Activity& v, std::string* out) {
  Writer w(out);
  w.Str(v.id);
  w.I64(v.created);
  w.Byte(static_cast<uint8_t>(v.target_type));
  w.Byte(static_cast<uint8_t>(v.operation));
  w.Str(v.target_name);
  w.OptStr(v.target_context);
  w.Str(v.initiated_by_type);
  w.Str(v.initiated_by_id);
  w.Str(v.initiated_by_name);
  w.OptI64(v.connected_system_id);
  w.OptI64(v.run_profile_id);
  // NOTE: appended only when present, so an activity without them is byte-for-byte what it was before
  // change reasons and configuration versions existed, and those older values decode unchanged (no
  // format version bump needed). A version needs the reason's slot before it (absent or not).
  if (v.change_reason || v.configuration_change_version) w.OptStr(v.change_reason);
  if (v.configuration_change_version) w.OptI64(v.configuration_change_version);
}
bool Decode(std::string_view in, core::Activity* v) {
  Reader r(in);
  uint8_t target = 0, op = 0;
  if (!(r.Str(&v->id) && r.I64(&v->created) && r.Byte(&target) && r.Byte(&op))) return false;
  if (target < 1 || target > static_cast<uint8_t>(core::TargetType::kPartition)) return false;
  if (op < 1 || op > static_cast<uint8_t>(core::OperationType::kDelete)) return false;
  v->target_type = static_cast<core::TargetType>(target);
  v->operation = static_cast<core::OperationType>(op);
  if (!(r.Str(&v->target_name) && r.OptStr(&v->target_context) && r.Str(&v->initiated_by_type) &&
        r.Str(&v->initiated_by_id) && r.Str(&v->initiated_by_name) && r.OptI64(&v->connected_system_id) &&
        r.OptI64(&v->run_profile_id)))
    return false;
  v->change_reason.reset();
  v->configuration_change_version.reset();
  if (r.Done()) return true;
  if (!r.OptStr(&v->change_reason)) return false;
  if (r.Done()) return true;
  return r.OptI64(&v->configuration_change_version) && v->configuration_change_version && r.Done();
}

void Encode(const core::IdempotencyRecord& v, std::string* out) {
  Writer w(out);
  w.Str(v.key);
  w.Str(v.request_hash);
  w.I64(v.status);
  w.Str(v.body);
  w.Str(v.location);
  w.I64(v.created);
  // Appended after the fields of the first encoding, so records written before it still decode.
  w.Bool(v.profile.has_value());
  if (v.profile) {
    std::string profile;
    Encode(v.profile->profile, &profile);
    w.Str(profile);
    w.OptStr(v.profile->partition_name);
    w.Bool(v.profile->targets_deselected_partition);
  }
}
bool Decode(std::string_view in, core::IdempotencyRecord* v) {
  Reader r(in);
  int32_t status = 0;
  if (!(r.Str(&v->key) && r.Str(&v->request_hash) && r.I32(&status) && r.Str(&v->body) && r.Str(&v->location) &&
        r.I64(&v->created)))
    return false;
  v->status = status;
  v->profile.reset();
  if (r.Done()) return true;  // the first encoding: a rendered answer, no profile
  bool has_profile = false;
  if (!r.Bool(&has_profile)) return false;
  if (has_profile) {
    std::string profile;
    core::RunProfileView view;
    if (!(r.Str(&profile) && Decode(profile, &view.profile) && r.OptStr(&view.partition_name) &&
          r.Bool(&view.targets_deselected_partition)))
      return false;
    v->profile = std::move(view);
  }
  return r.Done();
}

void Encode(const core::ConfigVersion& v, std::string* out) {
  Writer w(out);
  w.Byte(static_cast<uint8_t>(v.object_type));
  w.Str(v.object_key);
  w.I64(v.version);
  w.Str(v.activity_id);
  w.Byte(static_cast<uint8_t>(v.operation));
  w.I64(v.when);
  w.Str(v.initiated_by_type);
  w.Str(v.initiated_by_id);
  w.Str(v.initiated_by_name);
  w.OptStr(v.reason);
  w.Str(v.summary);
  w.Bool(v.is_checkpoint);
  w.I64(v.checkpoint_version);
  w.I64(v.checkpoint_bytes);
  w.I64(v.delta_bytes);
  w.Str(v.payload);  // core::EncodeTree's bytes, opaque here
}
bool Decode(std::string_view in, core::ConfigVersion* v) {
  Reader r(in);
  uint8_t type = 0, op = 0;
  if (!(r.Byte(&type) && r.Str(&v->object_key) && r.I64(&v->version) && r.Str(&v->activity_id) && r.Byte(&op)))
    return false;
  if (type < 1 || type > static_cast<uint8_t>(core::ConfigObjectType::kApiKey)) return false;
  if (op < 1 || op > static_cast<uint8_t>(core::OperationType::kDelete)) return false;
  v->object_type = static_cast<core::ConfigObjectType>(type);
  v->operation = static_cast<core::OperationType>(op);
  return r.I64(&v->when) && r.Str(&v->initiated_by_type) && r.Str(&v->initiated_by_id) &&
         r.Str(&v->initiated_by_name) && r.OptStr(&v->reason) && r.Str(&v->summary) && r.Bool(&v->is_checkpoint) &&
         r.I64(&v->checkpoint_version) && r.I64(&v->checkpoint_bytes) && r.I64(&v->delta_bytes) &&
         r.Str(&v->payload) && r.Done();
}

void Encode(const core::ConfigHead& v, std::string* out) {
  Writer w(out);
  w.I64(v.version);
  w.I64(v.checkpoint_version);
  w.I64(v.checkpoint_bytes);
  w.I64(v.delta_bytes);
}
bool Decode(std::string_view in, core::ConfigHead* v) {
  Reader r(in);
  return r.I64(&v->version) && r.I64(&v->checkpoint_version) && r.I64(&v->checkpoint_bytes) &&
         r.I64(&v->delta_bytes) && r.Done();
}

void EncodeInt(int64_t v, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kFormatV1));
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}
bool DecodeInt(std::string_view in, int64_t* v) {
  if (in.size() != 9 || static_cast<uint8_t>(in[0]) != kFormatV1) return false;
  uint64_t u = 0;
  for (size_t i = 1; i < 9; ++i) u = (u << 8) | static_cast<unsigned char>(in[i]);
  *v = static_cast<int64_t>(u);
  return true;
}

void EncodeText(std::string_view v, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kFormatV1));
  out->append(v);
}
bool DecodeText(std::string_view in, std::string* v) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormatV1) return false;
  v->assign(in.substr(1));
  return true;
}

}  // namespace jim::store::codec
