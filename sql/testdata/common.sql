-- VICIdial tables khompctl touches, as MariaDB's SHOW CREATE TABLE prints them
-- after loading VICIdial's MySQL_AST_CREATE_tables.sql (see
-- shared/spec/vicidial-khomp.md §3). Only the columns khompctl or its tests
-- use are kept for the very wide tables (vicidial_campaigns,
-- vicidial_live_agents, servers). Test-only: never loaded on a real system.

CREATE TABLE `vicidial_khomp_log` (
  `khomp_log_id` int(9) unsigned NOT NULL AUTO_INCREMENT,
  `caller_code` varchar(30) NOT NULL,
  `lead_id` int(10) unsigned DEFAULT 0,
  `server_ip` varchar(15) NOT NULL,
  `khomp_header` varchar(100) DEFAULT NULL,
  `khomp_id` varchar(256) DEFAULT NULL,
  `khomp_id_format` enum('CALLERCODE','CALLERCODE_EXTERNIP','CALLERCODE_CAMP_EXTERNIP') DEFAULT NULL,
  `sip_call_id` varchar(256) DEFAULT NULL,
  `start_date` datetime(6) DEFAULT NULL,
  `audio_date` datetime(6) DEFAULT NULL,
  `answer_date` datetime(6) DEFAULT NULL,
  `end_date` datetime(6) DEFAULT NULL,
  `analyzer_date` datetime(6) DEFAULT NULL,
  `conclusion` varchar(100) DEFAULT NULL,
  `pattern` varchar(256) DEFAULT NULL,
  `action` varchar(100) DEFAULT NULL,
  `hangup_origin` varchar(20) DEFAULT NULL,
  `hangup_cause_recv` varchar(20) DEFAULT NULL,
  `hangup_cause_sent` varchar(20) DEFAULT NULL,
  `hangup_auth_time` varchar(20) DEFAULT '0',
  `hangup_query_time` varchar(20) DEFAULT '0',
  `route_auth_time` varchar(20) DEFAULT '0',
  `route_query_time` varchar(20) DEFAULT '0',
  `vici_action` varchar(10) DEFAULT NULL,
  `vici_status` varchar(6) DEFAULT NULL,
  `khomp_settings_container` varchar(40) DEFAULT NULL,
  PRIMARY KEY (`khomp_log_id`),
  KEY `caller_code` (`caller_code`),
  KEY `start_date` (`start_date`),
  KEY `khomp_id` (`khomp_id`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_unicode_ci;

CREATE TABLE `vicidial_campaign_statuses` (
  `status` varchar(6) NOT NULL,
  `status_name` varchar(30) DEFAULT NULL,
  `selectable` enum('Y','N') DEFAULT NULL,
  `campaign_id` varchar(20) DEFAULT NULL,
  `human_answered` enum('Y','N') DEFAULT 'N',
  `category` varchar(20) DEFAULT 'UNDEFINED',
  `sale` enum('Y','N') DEFAULT 'N',
  `dnc` enum('Y','N') DEFAULT 'N',
  `customer_contact` enum('Y','N') DEFAULT 'N',
  `not_interested` enum('Y','N') DEFAULT 'N',
  `unworkable` enum('Y','N') DEFAULT 'N',
  `scheduled_callback` enum('Y','N') DEFAULT 'N',
  `completed` enum('Y','N') DEFAULT 'N',
  `min_sec` int(5) unsigned DEFAULT 0,
  `max_sec` int(5) unsigned DEFAULT 0,
  `answering_machine` enum('Y','N') DEFAULT 'N',
  UNIQUE KEY `vicidial_campaign_statuses_key` (`status`,`campaign_id`),
  KEY `campaign_id` (`campaign_id`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE `live_channels` (
  `channel` varchar(100) NOT NULL,
  `server_ip` varchar(15) NOT NULL,
  `channel_group` varchar(30) DEFAULT NULL,
  `extension` varchar(100) DEFAULT NULL,
  `channel_data` varchar(100) DEFAULT NULL
) ENGINE=MEMORY DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE `vicidial_live_agents` (
  `live_agent_id` int(9) unsigned NOT NULL AUTO_INCREMENT,
  `user` varchar(20) DEFAULT NULL,
  `server_ip` varchar(15) NOT NULL,
  `conf_exten` varchar(20) DEFAULT NULL,
  `extension` varchar(100) DEFAULT NULL,
  `status` enum('READY','QUEUE','INCALL','PAUSED','CLOSER','MQUEUE') DEFAULT 'PAUSED',
  `lead_id` int(9) unsigned NOT NULL,
  `campaign_id` varchar(8) DEFAULT NULL,
  `last_update_time` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (`live_agent_id`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE `vicidial_campaigns` (
  `campaign_id` varchar(8) NOT NULL,
  `campaign_name` varchar(40) DEFAULT NULL,
  `active` enum('Y','N') DEFAULT NULL,
  `dial_prefix` varchar(20) DEFAULT '9',
  `campaign_vdad_exten` varchar(20) DEFAULT '8368',
  `amd_type` enum('AMD','CPD','KHOMP') DEFAULT 'AMD',
  `cpd_amd_action` enum('DISABLED','DISPO','MESSAGE','CALLMENU','INGROUP') DEFAULT 'DISABLED',
  `cpd_unknown_action` enum('DISABLED','DISPO','MESSAGE','CALLMENU','INGROUP') DEFAULT 'DISABLED',
  `khomp_settings_container` varchar(40) DEFAULT 'KHOMPSETTINGS',
  PRIMARY KEY (`campaign_id`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE `servers` (
  `server_id` varchar(10) NOT NULL,
  `server_description` varchar(255) DEFAULT NULL,
  `server_ip` varchar(15) NOT NULL,
  `active` enum('Y','N') DEFAULT NULL,
  `asterisk_version` varchar(20) DEFAULT '1.4.21',
  `agi_output` enum('NONE','STDERR','FILE','BOTH') DEFAULT 'FILE',
  `external_server_ip` varchar(100) DEFAULT '',
  UNIQUE KEY `server_id` (`server_id`),
  UNIQUE KEY `server_ip` (`server_ip`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE `vicidial_admin_log` (
  `admin_log_id` int(9) unsigned NOT NULL AUTO_INCREMENT,
  `event_date` datetime NOT NULL,
  `user` varchar(20) NOT NULL,
  `ip_address` varchar(45) NOT NULL,
  `event_section` varchar(30) NOT NULL,
  `event_type` enum('ADD','COPY','LOAD','RESET','MODIFY','DELETE','SEARCH','LOGIN','LOGOUT','CLEAR','OVERRIDE','EXPORT','OTHER') DEFAULT 'OTHER',
  `record_id` varchar(50) NOT NULL,
  `event_code` varchar(255) NOT NULL,
  `event_sql` text DEFAULT NULL,
  `event_notes` text DEFAULT NULL,
  `user_group` varchar(20) DEFAULT '---ALL---',
  PRIMARY KEY (`admin_log_id`),
  KEY `user` (`user`),
  KEY `event_section` (`event_section`),
  KEY `record_id` (`record_id`),
  KEY `event_date` (`event_date`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
