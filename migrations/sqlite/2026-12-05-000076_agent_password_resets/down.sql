DROP TABLE agent_password_resets;
