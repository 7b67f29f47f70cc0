#pragma once
// SNMPv3 USM credentials from the config -> the fields of a netsnmp_session: protocol OIDs,
// Ku keys from the passphrases (generate_Ku), the discovered engine id. Errors name the field,
// never the secret.
#include <string>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "config/model.hpp"

namespace avmon::snmp {

class UsmSetup {
public:
    // Checks the protocols and derives the keys; false + `error` on a bad setting.
    bool prepare(const config::SnmpV3Credentials& creds, const std::string& engine_id, std::string& error);
    // Fills a netsnmp_session initialised by snmp_sess_init. The session points into this
    // object's buffers: keep it alive until snmp_sess_open has returned.
    // Also drops a cached USM user of the same engine and name whose keys differ (the config
    // changed), so the new keys take effect.
    void apply(netsnmp_session& s);

private:
    std::string user_;
    std::string context_;
    std::string engine_id_;
    int level_ = SNMP_SEC_LEVEL_NOAUTH;
    const oid* auth_proto_ = nullptr;
    std::size_t auth_proto_len_ = 0;
    const oid* priv_proto_ = nullptr;
    std::size_t priv_proto_len_ = 0;
    u_char auth_ku_[USM_AUTH_KU_LEN]{};
    std::size_t auth_ku_len_ = 0;
    u_char priv_ku_[USM_PRIV_KU_LEN]{};
    std::size_t priv_ku_len_ = 0;
};

}  // namespace avmon::snmp
