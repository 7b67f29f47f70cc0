#include "probes/snmp/usm_credentials.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <vector>

namespace avmon::snmp {

namespace {

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool auth_protocol(const std::string& name, const oid*& proto, std::size_t& len) {
    std::string n = upper(name);
    if (n == "MD5") { proto = usmHMACMD5AuthProtocol; len = OID_LENGTH(usmHMACMD5AuthProtocol); }
    else if (n == "SHA" || n == "SHA1" || n == "SHA-1") { proto = usmHMACSHA1AuthProtocol; len = OID_LENGTH(usmHMACSHA1AuthProtocol); }
    else if (n == "SHA-224" || n == "SHA224") { proto = usmHMAC128SHA224AuthProtocol; len = OID_LENGTH(usmHMAC128SHA224AuthProtocol); }
    else if (n == "SHA-256" || n == "SHA256") { proto = usmHMAC192SHA256AuthProtocol; len = OID_LENGTH(usmHMAC192SHA256AuthProtocol); }
    else if (n == "SHA-384" || n == "SHA384") { proto = usmHMAC256SHA384AuthProtocol; len = OID_LENGTH(usmHMAC256SHA384AuthProtocol); }
    else if (n == "SHA-512" || n == "SHA512") { proto = usmHMAC384SHA512AuthProtocol; len = OID_LENGTH(usmHMAC384SHA512AuthProtocol); }
    else return false;
    return true;
}

bool priv_protocol(const std::string& name, const oid*& proto, std::size_t& len) {
    std::string n = upper(name);
    if (n == "DES") { proto = usmDESPrivProtocol; len = OID_LENGTH(usmDESPrivProtocol); }
    else if (n == "AES" || n == "AES-128" || n == "AES128") { proto = usmAESPrivProtocol; len = OID_LENGTH(usmAESPrivProtocol); }
    else if (n == "AES-192" || n == "AES192") { proto = usmAES192PrivProtocol; len = OID_LENGTH(usmAES192PrivProtocol); }
    else if (n == "AES-256" || n == "AES256") { proto = usmAES256PrivProtocol; len = OID_LENGTH(usmAES256PrivProtocol); }
    else return false;
    return true;
}

// generate_Ku hashes a megabyte per passphrase (RFC 3414 A.2): a few ms each. A fleet usually
// shares one v3 user, so derive each (protocol, passphrase) once per process instead of on
// every session open, which for 100 devices would hold the loop for about a second.
bool cached_ku(const oid* proto, std::size_t proto_len, const std::string& passphrase, u_char* out,
               std::size_t& out_len) {
    static std::map<std::string, std::vector<u_char>> cache;
    std::string key(reinterpret_cast<const char*>(proto), proto_len * sizeof(oid));
    key += passphrase;
    auto it = cache.find(key);
    if (it == cache.end()) {
        u_char ku[USM_AUTH_KU_LEN];
        std::size_t len = sizeof ku;
        if (generate_Ku(proto, static_cast<u_int>(proto_len), reinterpret_cast<const u_char*>(passphrase.data()),
                        passphrase.size(), ku, &len) != SNMPERR_SUCCESS)
            return false;
        it = cache.emplace(std::move(key), std::vector<u_char>(ku, ku + len)).first;
    }
    if (it->second.size() > out_len) return false;
    std::memcpy(out, it->second.data(), it->second.size());
    out_len = it->second.size();
    return true;
}

}  // namespace

bool UsmSetup::prepare(const config::SnmpV3Credentials& c, const std::string& engine_id, std::string& error) {
    using Level = config::SnmpV3Credentials::Level;
    user_ = c.user;
    context_ = c.context;
    engine_id_ = engine_id;
    if (user_.empty()) {
        error = "SNMPv3 user is empty";
        return false;
    }
    level_ = c.level == Level::no_auth_no_priv ? SNMP_SEC_LEVEL_NOAUTH
             : c.level == Level::auth_no_priv  ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                               : SNMP_SEC_LEVEL_AUTHPRIV;
    if (level_ == SNMP_SEC_LEVEL_NOAUTH) return true;
    if (!auth_protocol(c.auth_protocol, auth_proto_, auth_proto_len_)) {
        error = "unsupported SNMPv3 auth_protocol \"" + c.auth_protocol + "\" (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)";
        return false;
    }
    // RFC 3414 §11.2: passphrases shorter than 8 characters are refused by agents anyway.
    if (c.auth_key.size() < 8) {
        error = "SNMPv3 auth_key is shorter than 8 characters";
        return false;
    }
    auth_ku_len_ = sizeof auth_ku_;
    if (!cached_ku(auth_proto_, auth_proto_len_, c.auth_key, auth_ku_, auth_ku_len_)) {
        error = "cannot derive the SNMPv3 auth key";
        return false;
    }
    if (level_ != SNMP_SEC_LEVEL_AUTHPRIV) return true;
    if (!priv_protocol(c.priv_protocol, priv_proto_, priv_proto_len_)) {
        error = "unsupported SNMPv3 priv_protocol \"" + c.priv_protocol + "\" (DES, AES, AES-192, AES-256)";
        return false;
    }
    if (c.priv_key.size() < 8) {
        error = "SNMPv3 priv_key is shorter than 8 characters";
        return false;
    }
    priv_ku_len_ = sizeof priv_ku_;
    // The privacy Ku is derived with the authentication hash (RFC 3414 §2.6).
    if (!cached_ku(auth_proto_, auth_proto_len_, c.priv_key, priv_ku_, priv_ku_len_)) {
        error = "cannot derive the SNMPv3 privacy key";
        return false;
    }
    return true;
}

void UsmSetup::apply(netsnmp_session& s) {
    s.version = SNMP_VERSION_3;
    s.securityModel = SNMP_SEC_MODEL_USM;
    s.securityName = user_.data();
    s.securityNameLen = user_.size();
    s.securityLevel = level_;
    if (!context_.empty()) {
        s.contextName = context_.data();
        s.contextNameLen = context_.size();
    }
    s.securityEngineID = reinterpret_cast<u_char*>(engine_id_.data());
    s.securityEngineIDLen = engine_id_.size();
    if (auth_proto_) {
        s.securityAuthProto = const_cast<oid*>(auth_proto_);
        s.securityAuthProtoLen = auth_proto_len_;
        std::memcpy(s.securityAuthKey, auth_ku_, auth_ku_len_);
        s.securityAuthKeyLen = auth_ku_len_;
    }
    if (priv_proto_) {
        s.securityPrivProto = const_cast<oid*>(priv_proto_);
        s.securityPrivProtoLen = priv_proto_len_;
        std::memcpy(s.securityPrivKey, priv_ku_, priv_ku_len_);
        s.securityPrivKeyLen = priv_ku_len_;
    }
    // Net-SNMP keeps one USM user per (engine id, name) for the whole process and reuses it
    // when a session opens. If the keys changed (config reload), replace it.
    struct usmUser* existing = usm_get_user(reinterpret_cast<const u_char*>(engine_id_.data()), engine_id_.size(),
                                            user_.data());
    if (existing) {
        auto same = [](const u_char* a, std::size_t alen, const u_char* b, std::size_t blen) {
            return alen == blen && (alen == 0 || (a && b && std::memcmp(a, b, alen) == 0));
        };
        bool same_keys = same(existing->authKeyKu, existing->authKeyKuLen, auth_ku_, auth_proto_ ? auth_ku_len_ : 0) &&
                         same(existing->privKeyKu, existing->privKeyKuLen, priv_ku_, priv_proto_ ? priv_ku_len_ : 0) &&
                         existing->authProtocolLen == (auth_proto_ ? auth_proto_len_ : existing->authProtocolLen) &&
                         existing->privProtocolLen == (priv_proto_ ? priv_proto_len_ : existing->privProtocolLen);
        if (!same_keys) {
            usm_remove_user(existing);
            usm_free_user(existing);
        }
    }
}

}  // namespace avmon::snmp
