-- Schema 1720 (VICIdial 2.14 up to late 2024): no modify_stamp columns.
CREATE TABLE `vicidial_settings_containers` (
  `container_id` varchar(40) NOT NULL,
  `container_notes` varchar(255) DEFAULT '',
  `container_type` varchar(40) DEFAULT 'OTHER',
  `user_group` varchar(20) DEFAULT '---ALL---',
  `container_entry` mediumtext DEFAULT NULL,
  PRIMARY KEY (`container_id`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_unicode_ci;

CREATE TABLE `vicidial_statuses` (
  `status` varchar(6) NOT NULL,
  `status_name` varchar(30) DEFAULT NULL,
  `selectable` enum('Y','N') DEFAULT 'N',
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
  PRIMARY KEY (`status`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
