DROP TABLE help_center_logo;
